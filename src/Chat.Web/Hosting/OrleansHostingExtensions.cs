using Chat.Grains;

namespace Chat.Web.Hosting;

public static class OrleansHostingExtensions
{
    /// <summary>
    /// Co-hosts a silo in the web process (the default for dotnet run and small deployments); the
    /// web code only ever uses IGrainFactory, so it does not care where grains run.
    /// </summary>
    public static WebApplicationBuilder AddChatOrleans(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddChatSilo(builder.Configuration));
        return builder;
    }
}
