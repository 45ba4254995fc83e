using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Chat.Import;

/// <summary>
/// Imports a discussion file into a running site as a moderator: signs in through the public API
/// (<c>/api/auth/login</c>, bearer token), posts the file to <c>/api/admin/import</c> and shows the
/// progress lines the server streams back. Exit codes: 0 done, 1 refused or failed, 2 bad usage.
/// </summary>
public static class ImportTool
{
    public const string PasswordVariable = "CHAT_IMPORT_PASSWORD";

    public const string Usage = $"""
        usage: Chat.Import --file FILE --user NAME [--format hn|text] [--url http://127.0.0.1:5000]
          --file      the discussion: a Hacker News story with nested items (.json) or one comment per line
          --format    hn or text; default: hn for *.json, text otherwise
          --user      a moderator's user name; the password comes from ${PasswordVariable} (or --password)
          --url       the site (default http://127.0.0.1:5000)
        Running it again with the same file adds nothing; after a failure it carries on where it stopped.
               Chat.Import reindex --user NAME [--url http://127.0.0.1:5000]
          rebuilds every search shard from the comment log and shows its progress (safe to run again)
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        // Piped into a log or a file: no wrapping at 80 columns.
        if (!console.Profile.Capabilities.Interactive) console.Profile.Width = 200;
        Options options;
        try
        {
            options = Options.Parse(args, environment);
        }
        catch (UsageException e)
        {
            console.WriteLine(e.Message);
            console.WriteLine(Usage);
            return 2;
        }
        if (options.Help)
        {
            console.WriteLine(Usage);
            return 0;
        }

        try
        {
            using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = options.Url, Timeout = Timeout.InfiniteTimeSpan };
            var login = await http.PostAsJsonAsync("/api/auth/login", new { userName = options.User, password = options.Password }, cancellationToken);
            if (!login.IsSuccessStatusCode) return await Refused(console, "Sign-in", login, cancellationToken);
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken)).GetProperty("token").GetString();
            if (options.Reindex) return await ReindexCommand.RunAsync(console, http, token!, cancellationToken);

            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/import?format={options.Format}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
            request.Content = new StreamContent(File.OpenRead(options.File));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(options.Format == "hn" ? "application/json" : "text/plain") { CharSet = "utf-8" };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode) return await Refused(console, "Import", response, cancellationToken);
            return await FollowAsync(console, response, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            console.MarkupLineInterpolated($"[red]Cannot reach {options.Url}: {e.Message}[/]");
            return 1;
        }
    }

    /// <summary>Reads the progress lines; the last one is the summary or the failure.</summary>
    private static async Task<int> FollowAsync(IAnsiConsole console, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        JsonElement last = default;
        var interactive = console.Profile.Capabilities.Interactive;
        async Task ReadLines(Action<int, int> progress)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0) continue;
                last = JsonDocument.Parse(line).RootElement.Clone();
                if (last.TryGetProperty("done", out var done) && last.TryGetProperty("total", out var total) && !last.TryGetProperty("detail", out _))
                    progress(done.GetInt32(), total.GetInt32());
            }
        }
        if (interactive)
        {
            await console.Progress().StartAsync(async ctx =>
            {
                var task = ctx.AddTask("importing comments");
                await ReadLines((done, total) => { task.MaxValue = Math.Max(1, total); task.Value = done; });
            });
        }
        else
        {
            await ReadLines((done, total) => console.WriteLine($"{done}/{total} comments"));
        }

        if (last.ValueKind == JsonValueKind.Object && last.TryGetProperty("threadId", out var threadId))
        {
            var table = new Table().AddColumns("thread", "imported", "already there", "skipped", "truncated", "total");
            table.AddRow(threadId.GetString()!, Number(last, "imported"), Number(last, "already"), Number(last, "skipped"), Number(last, "truncated"), Number(last, "total"));
            console.Write(table);
            console.WriteLine($"Thread: {new Uri(response.RequestMessage!.RequestUri!, "/t/" + threadId.GetString())}");
            return 0;
        }
        var detail = last.ValueKind == JsonValueKind.Object && last.TryGetProperty("detail", out var d) ? d.GetString() : "the server stopped answering";
        console.MarkupLineInterpolated($"[red]Import failed: {detail}[/]");
        console.WriteLine("Run the same command again to carry on: what was stored stays, and is not stored twice.");
        return 1;
    }

    private static string Number(JsonElement result, string name) => result.GetProperty(name).GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<int> Refused(IAnsiConsole console, string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try { detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        console.MarkupLineInterpolated($"[red]{what} refused: {(int)response.StatusCode} {detail ?? text}[/]");
        return 1;
    }
}

public sealed class UsageException(string message) : Exception(message);
