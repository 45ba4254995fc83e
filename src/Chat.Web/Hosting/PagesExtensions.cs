using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Chat.Web.Hosting;

/// <summary>
/// The UI's pages. Their shared head and header are written once, in wwwroot/_layout.html;
/// each page's file in wwwroot holds only its &lt;main&gt;.
/// </summary>
/// <remarks>
/// Why composed here, once at start-up, rather than in the browser or per request: a page built
/// by script (fetching the layout, or a fragment) costs a round trip before anything shows and
/// needs script the CSP would have to allow; a page composed per request costs work for nothing,
/// since the files do not change while the app runs. So each page is composed into one byte array
/// at start-up and served like a static file: same content type, an ETag and Last-Modified for
/// conditional requests, and the headers UseChatSecurityHeaders sets on every response (among
/// them Cache-Control: no-cache, so that browsers revalidate pages and scripts instead of guessing). A missing file or placeholder stops the start.
/// Endpoints win over the static-file middleware (it serves only requests no endpoint matched), so
/// the fragments' own addresses (/thread.html, ...) serve the composed page too, as they did.
/// </remarks>
public static class PagesExtensions
{
    /// <summary>A page: its file (the &lt;main&gt;), title, module script, whether it is live, its addresses.</summary>
    private sealed record Page(string File, string Title, string Script, bool Live, params string[] Routes);

    private static readonly Page[] Pages =
    [
        new("index.html", "chat", "/js/front.js", Live: true, "/"),
        new("thread.html", "chat", "/js/thread.js", Live: true, "/t/{id}"),
        // The login page has no live parts (no inbox count before signing in): no SignalR client.
        new("login.html", "Login | chat", "/js/login.js", Live: false, "/login"),
        new("submit.html", "Submit | chat", "/js/submit.js", Live: true, "/submit"),
        new("user.html", "user | chat", "/js/user.js", Live: true, "/u/{name}"),
        new("inbox.html", "inbox | chat", "/js/inbox.js", Live: true, "/inbox"),
        new("mod.html", "mod | chat", "/js/mod.js", Live: true, "/mod"),
        new("search.html", "search | chat", "/js/search.js", Live: true, "/search"),
        new("settings.html", "settings | chat", "/js/settings.js", Live: true, "/settings"),
    ];

    private const string LayoutFile = "_layout.html";

    public static WebApplication MapChatPages(this WebApplication app)
    {
        var files = app.Environment.WebRootFileProvider;
        var (layout, layoutModified) = Read(files, LayoutFile);
        foreach (var page in Pages)
        {
            var (main, mainModified) = Read(files, page.File);
            var html = Compose(layout, page, main);
            var body = Encoding.UTF8.GetBytes(html);
            var etag = new EntityTagHeaderValue("\"" + Convert.ToHexString(SHA256.HashData(body))[..16] + "\"");
            var lastModified = layoutModified > mainModified ? layoutModified : mainModified;
            IResult Serve() => Results.Bytes(body, "text/html; charset=utf-8", lastModified: lastModified, entityTag: etag);
            foreach (var route in page.Routes.Append("/" + page.File))
                app.MapMethods(route, [HttpMethods.Get, HttpMethods.Head], Serve).ExcludeFromDescription();
        }
        // The layout alone, placeholders and all, is not a page.
        app.MapMethods("/" + LayoutFile, [HttpMethods.Get, HttpMethods.Head], () => Results.NotFound()).ExcludeFromDescription();
        app.MapGet("/lib/signalr.min.js", SignalRClientScript).ExcludeFromDescription();
        return app;
    }

    private static string Compose(string layout, Page page, string main)
    {
        var scripts = (page.Live ? "  <script src=\"/lib/signalr.min.js\"></script>\n" : "")
            + $"  <script type=\"module\" src=\"{page.Script}\"></script>";
        var filled = Fill(Fill(Fill(layout, "{{title}}", page.Title), "{{scripts}}", scripts), "{{main}}", WithoutLeadingComment(main).TrimEnd('\n'));
        return Fill(filled, "{{version}}", System.Net.WebUtility.HtmlEncode(Chat.ServiceDefaults.BuildInfo.Display));
    }

    private static string Fill(string layout, string placeholder, string value) =>
        layout.Contains(placeholder, StringComparison.Ordinal)
            ? layout.Replace(placeholder, value, StringComparison.Ordinal)
            : throw new InvalidOperationException($"wwwroot/{LayoutFile} has no {placeholder} placeholder.");

    /// <summary>A page's file may start with a comment for its readers; it is not served.</summary>
    private static string WithoutLeadingComment(string main)
    {
        if (!main.StartsWith("<!--", StringComparison.Ordinal)) return main;
        var end = main.IndexOf("-->", StringComparison.Ordinal);
        return end < 0 ? main : main[(end + 3)..].TrimStart('\r', '\n');
    }

    private static (string Text, DateTimeOffset LastModified) Read(IFileProvider files, string name)
    {
        var file = files.GetFileInfo(name);
        if (!file.Exists) throw new InvalidOperationException($"The page file wwwroot/{name} is missing.");
        using var reader = new StreamReader(file.CreateReadStream(), Encoding.UTF8);
        // Whole seconds: HTTP dates have no finer resolution, and If-Modified-Since compares them.
        var modified = file.LastModified;
        return (reader.ReadToEnd(), modified.AddTicks(-(modified.Ticks % TimeSpan.TicksPerSecond)));
    }

    private static IResult SignalRClientScript()
    {
        // Embedded at build time from npm's @microsoft/signalr (see Chat.Web.csproj).
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("signalr.min.js")
            ?? throw new InvalidOperationException("signalr.min.js was not embedded; run 'npm ci' and rebuild.");
        return Results.Stream(stream, "text/javascript");
    }
}
