using Microsoft.AspNetCore.SignalR;
using Chat.Web.Hubs;

namespace Chat.Web.Realtime;

public static class RealtimeExtensions
{
    public static WebApplicationBuilder AddChatRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = Limits.MaxHubMessageBytes;
            o.AddFilter<HubErrorFilter>();
        });
        builder.Services.Configure<RelayOptions>(builder.Configuration.GetSection("Chat:Relay"));
        builder.Services.AddSingleton<ThreadRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ThreadRelay>());
        return builder;
    }

    public static WebApplication MapChatRealtime(this WebApplication app)
    {
        app.MapHub<DiscussionHub>("/hubs/discussion");
        return app;
    }
}
