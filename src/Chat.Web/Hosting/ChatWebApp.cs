using Chat.ServiceDefaults;
using Chat.Web.Api;
using Chat.Web.Auth;
using Chat.Web.Realtime;
using Orleans.Dashboard;

namespace Chat.Web.Hosting;

/// <summary>
/// Builds the web host. Program.cs stays one line so that tests start the very same app on
/// 127.0.0.1:0 with their own configuration.
/// </summary>
public static class ChatWebApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.AddChatOrleans();
        builder.AddChatAuth();
        builder.AddChatAbuseLimits();
        builder.AddChatApi();
        builder.AddChatRealtime();
        builder.AddChatServiceDefaults();
        builder.AddChatDemoContent();

        var app = builder.Build();
        app.UseChatSecurityHeaders();
        app.UseExceptionHandler();
        // Not for the hub: a WebSocket's request would hold the middleware's frame and feature for its
        // whole life, and SignalR answers its own errors.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(NodeConnectionLimit.HubPath), branch => branch.UseStatusCodePages());
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseChatCsrfHeaderCheck();
        app.UseChatJsonCharsetCheck();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseChatNodeConnectionLimit();
        app.UseRateLimiter();
        app.MapChatAuth();
        app.MapChatApi();
        app.MapChatRealtime();
        app.MapChatDefaultEndpoints();
        app.MapChatPages();
        // The Orleans Dashboard (cluster, silos, grains, calls) for moderators and operators.
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(AuthExtensions.ModeratorPolicy);
        return app;
    }
}
