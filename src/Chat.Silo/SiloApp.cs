using Chat.ServiceDefaults;

namespace Chat.Silo;

/// <summary>
/// The silo-only host: grains, their storage, health and metrics; no HTTP API and no hub. Web nodes
/// reach it as Orleans clients through its gateway port.
/// </summary>
public static class SiloApp
{
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.UseOrleans(silo => silo.AddChatSilo(builder.Configuration));
        builder.AddChatServiceDefaults();

        var app = builder.Build();
        app.MapChatDefaultEndpoints();
        return app;
    }
}
