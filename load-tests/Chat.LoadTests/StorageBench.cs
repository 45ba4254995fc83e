using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.AspNetCore.SignalR.Client;
using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>Azurite: single inserts/s vs 100-entity transactions (entities/s); with --url, the product's acked comments/s on one thread.</summary>
public static class StorageBench
{
    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var conn = o.String("table-endpoint");
        var seconds = o.Duration("duration", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));
        var urls = o.Urls();
        var posters = o.Int("posters", 50, 1, 1_000);
        var inFlight = o.Int("in-flight", 4, 1, 100);
        var outDir = Scenarios.OutDir(o);
        Scenarios.CheckUnused(o);
        ServerProcess? azurite = null;
        var rows = new List<(string What, double PerSec, string Unit, string Note)>();
        try
        {
            if (conn is null)
            {
                azurite = await Targets.AzuriteAsync(Path.Combine(outDir, "logs"));
                conn = Targets.AzuriteConnectionString(azurite.Port);
                ui.Line($"started Azurite (in memory) on port {azurite.Port}");
            }
            else if (!conn.Contains("127.0.0.1") && !conn.Contains("localhost") && !conn.Contains("UseDevelopmentStorage") && !o.Has("allow-remote"))
                throw new UsageException("--table-endpoint is not on loopback: give --allow-remote to benchmark it.");

            var table = new TableClient(conn, "loadbench" + Guid.NewGuid().ToString("N")[..8]);
            await table.CreateAsync(ct);
            var body = new string('x', 200);
            var n = 0L;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < seconds)
                await table.AddEntityAsync(new TableEntity("single", (n++).ToString("D19")) { ["Body"] = body }, ct);
            rows.Add(("Azurite single inserts (one at a time)", n / sw.Elapsed.TotalSeconds, "entities/s", ""));
            ui.Line($"single inserts: {n / sw.Elapsed.TotalSeconds:0}/s");

            n = 0;
            long tx = 0;
            sw.Restart();
            while (sw.Elapsed < seconds)
            {
                var batch = Enumerable.Range(0, 100).Select(_ => new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity("batch", (n++).ToString("D19")) { ["Body"] = body })).ToList();
                await table.SubmitTransactionAsync(batch, ct);
                tx++;
            }
            rows.Add(("Azurite 100-entity transactions", n / sw.Elapsed.TotalSeconds, "entities/s", $"{tx / sw.Elapsed.TotalSeconds:0} transactions/s"));
            ui.Line($"100-entity transactions: {n / sw.Elapsed.TotalSeconds:0} entities/s");
            await table.DeleteAsync(ct);

            if (urls is not null)
            {
                var (acks, errors, p99) = await ProductAcksAsync(urls, posters, inFlight, seconds, ui, ct);
                rows.Add(($"product: acked comments on one thread ({posters} posters x {inFlight} in flight)", acks, "comments/s", $"{errors} errors, ack p99 {p99} ms"));
            }
        }
        finally
        {
            if (azurite is not null) await azurite.DisposeAsync();
        }
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]storage[/]").AddColumn("what").AddColumn(new TableColumn("per second").RightAligned()).AddColumn("unit").AddColumn("note");
        foreach (var r in rows) t.AddRow(Markup.Escape(r.What), $"{r.PerSec:0}", r.Unit, Markup.Escape(r.Note));
        ui.Write(t);
        Report.WriteJson(outDir, $"storage-{DateTime.Now:yyyyMMdd-HHmmss}", rows.Select(r => new { r.What, perSec = Math.Round(r.PerSec), r.Unit, r.Note }));
        return 0;
    }

    /// <summary>Closed loop: each poster keeps `inFlight` posts outstanding on one thread for the duration.</summary>
    private static async Task<(double PerSec, long Errors, double P99)> ProductAcksAsync(Uri[] urls, int posters, int inFlight, TimeSpan duration, Ui ui, CancellationToken ct)
    {
        await using var run = new LoadRun(urls);
        await run.SetUpAsync(1, 0, posters, ui.Line, ct);
        var st = run.Stats;
        var sw = Stopwatch.StartNew();
        var thread = run.ThreadIds[0];
        long n = 0;
        await Task.WhenAll(run.Posters.SelectMany(p => Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (sw.Elapsed < duration && !ct.IsCancellationRequested)
            {
                var t = Stopwatch.GetTimestamp();
                try
                {
                    await p.Connection.InvokeAsync<PostResponse>("PostComment", thread, 0L, Stamp.Body(Interlocked.Increment(ref n)), Guid.NewGuid().ToString("N"), ct);
                    Interlocked.Increment(ref st.Acks);
                    st.Ack.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(t).TotalMicroseconds));
                }
                catch (Exception e) when (e is not OperationCanceledException) { st.Error(e.Message, ref st.PostErrors); }
            }
        })));
        var perSec = st.Acks / sw.Elapsed.TotalSeconds;
        ui.Line($"product: {perSec:0} acked comments/s, {st.PostErrors} errors");
        return (perSec, st.PostErrors, Percentiles.Of(st.Ack.GetIntervalHistogram()).P99);
    }
}
