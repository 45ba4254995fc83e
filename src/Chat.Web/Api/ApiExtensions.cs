namespace Chat.Web.Api;

public static class ApiExtensions
{
    public static WebApplicationBuilder AddChatApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ChatExceptionHandler>();
        // Bodies are at most 10,000 characters; nothing the API takes needs more than this.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 256 * 1024);
        return builder;
    }

    public static WebApplication MapChatApi(this WebApplication app)
    {
        app.MapThreadEndpoints();
        app.MapUserEndpoints();
        app.MapInboxEndpoints();
        return app;
    }
}
