using System.Reflection;

namespace Chat.Web.Hosting;

public static class PagesExtensions
{
    /// <summary>The UI's pages are static files; these routes give them readable addresses.</summary>
    public static WebApplication MapChatPages(this WebApplication app)
    {
        app.MapFallbackToFile("/t/{id}", "thread.html");
        app.MapFallbackToFile("/login", "login.html");
        app.MapFallbackToFile("/submit", "submit.html");
        app.MapFallbackToFile("/u/{name}", "user.html");
        app.MapFallbackToFile("/inbox", "inbox.html");
        app.MapGet("/lib/signalr.min.js", SignalRClientScript).ExcludeFromDescription();
        return app;
    }

    private static IResult SignalRClientScript()
    {
        // Embedded at build time from npm's @microsoft/signalr (see Chat.Web.csproj).
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("signalr.min.js")
            ?? throw new InvalidOperationException("signalr.min.js was not embedded; run 'npm ci' and rebuild.");
        return Results.Stream(stream, "text/javascript");
    }
}
