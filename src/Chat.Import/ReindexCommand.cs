using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Chat.Import;

/// <summary>
/// `reindex`: starts a rebuild of every search shard (<c>POST /api/admin/search/reindex</c>) and
/// polls its progress until it is done. Stopping the command does not stop the rebuild (it runs in
/// the cluster); running it again shows the running one's progress, or starts another.
/// </summary>
internal static class ReindexCommand
{
    private const string Path = "/api/admin/search/reindex";

    public static async Task<int> RunAsync(IAnsiConsole console, HttpClient http, string token, CancellationToken cancellationToken)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var started = await http.PostAsync(Path, null, cancellationToken);
        if (!started.IsSuccessStatusCode) return await ImportTool.Refused(console, "Reindex", started, cancellationToken);
        var status = await started.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        async Task Poll(Action<JsonElement> show)
        {
            while (status.GetProperty("running").GetBoolean())
            {
                show(status);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                status = await http.GetFromJsonAsync<JsonElement>(Path, cancellationToken);
            }
            show(status);
        }
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress().StartAsync(async ctx =>
            {
                var task = ctx.AddTask("rebuilding the search index");
                await Poll(s =>
                {
                    task.MaxValue = Math.Max(1, s.GetProperty("threadsTotal").GetInt32());
                    task.Value = s.GetProperty("threadsDone").GetInt32();
                    task.Description = $"{s.GetProperty("state").GetString()}: {s.GetProperty("comments").GetInt64():N0} comments";
                });
            });
        }
        else
        {
            await Poll(s => console.WriteLine(Line(s)));
        }
        console.WriteLine(Line(status) + Rate(status));
        if (status.GetProperty("state").GetString() == "done") return 0;
        console.MarkupLineInterpolated($"[red]Reindex {status.GetProperty("state").GetString()}: {(status.TryGetProperty("error", out var e) ? e.ToString() : "")}; run the command again.[/]");
        return 1;
    }

    private static string Line(JsonElement s) =>
        $"{s.GetProperty("state").GetString()}: {s.GetProperty("threadsDone").GetInt32()}/{s.GetProperty("threadsTotal").GetInt32()} threads, " +
        $"{s.GetProperty("comments").GetInt64()} comments, {s.GetProperty("threadsFailed").GetInt32()} threads failed";

    private static string Rate(JsonElement s) =>
        s.TryGetProperty("startedAt", out var a) && a.ValueKind == JsonValueKind.String && s.TryGetProperty("finishedAt", out var b) && b.ValueKind == JsonValueKind.String
        && (b.GetDateTimeOffset() - a.GetDateTimeOffset()).TotalSeconds is var secs && secs > 0
            ? FormattableString.Invariant($", {secs:F1} s, {s.GetProperty("comments").GetInt64() / secs:F0} comments/s")
            : "";
}
