using System.Diagnostics;

namespace Chat.LoadTests;

/// <summary>
/// How many connections one web node holds, and whether a hot thread stays fast among them: ramps
/// to --connections lean connections (--readers of them join one thread, the rest only connect, as
/// open pages of other parts of the site would), measures the server's memory per connection
/// after a full GC, then posts --rate comments/s to the thread for --duration and checks every
/// reader. Without --url it starts Azurite and the product (co-hosted) itself, with its open-file
/// limit raised to fit.
/// </summary>
public static class ConnectionsScenario
{
    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var urls = o.Urls();
        var connections = o.Int("connections", 10_000, 1, 1_000_000);
        var readerCount = o.Int("readers", Math.Min(connections, 1_000), 0, connections);
        var rate = o.Double("rate", 10, 0.1, 10_000);
        var duration = o.Duration("duration", TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));
        var connectRate = o.Double("connect-rate", 2_000, 1, 1_000_000);
        var drain = o.Duration("drain", TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
        var maxErrorRate = o.Double("max-error-rate", 0.001, 0, 1);
        var outDir = Scenarios.OutDir(o);
        var pid = o.Has("server-pid") ? o.Int("server-pid", 0, 1) : (int?)null;
        var kind = ReaderKinds.Parse(o, ReaderKinds.Lean);
        if (!ReaderKinds.IsLean(kind)) throw new UsageException($"connections holds lean readers only: --reader {ReaderKinds.Lean} or {ReaderKinds.LeanMessagePack}.");
        Scenarios.CheckUnused(o);

        await using var servers = new ServerSet();
        if (urls is null)
        {
            var logDir = Path.Combine(outDir, "logs");
            ui.Line($"starting Azurite and the product (co-hosted, open-file limit {connections + 1_000}); logs in {logDir}");
            var azurite = await servers.Add(Targets.AzuriteAsync(logDir));
            var product = await servers.Add(Targets.ProductAsync(logDir, azurite.Port, openFiles: connections + 1_000));
            (urls, pid) = ([product.Url], product.Pid);
        }
        var node = urls[0];

        string threadId;
        string token;
        using (var api = new ApiClient(node))
        {
            token = await api.SignUpAsync("ltconn" + Guid.NewGuid().ToString("N")[..8]);
            threadId = await api.CreateThreadAsync("many connections, one hot thread");
        }
        var before = await ServerMemory.ReadAsync(node, pid, ct);
        var stats = new Stats();
        await using var transport = new LeanTransport(connections, node.IsLoopback, messagePack: kind == ReaderKinds.LeanMessagePack);
        // Readers spread evenly through the ramp, so that the hot thread's group grows with the rest.
        var every = readerCount == 0 ? int.MaxValue : Math.Max(1, connections / readerCount);
        var all = new List<LeanReader>(connections);
        var readers = new List<LeanReader>(readerCount);
        for (var i = 0; i < connections; i++)
        {
            var join = readers.Count < readerCount && i % every == 0;
            var r = new LeanReader(transport, node, threadId, stats, join);
            all.Add(r);
            if (join) readers.Add(r);
        }

        try
        {
            ui.Line($"connecting {connections} ({readerCount} of them reading the thread) at up to {connectRate:0}/s from {transport.SourceAddresses} source address(es)");
            var ramp = await RampAsync(all, connectRate, stats, node, pid, ui, ct);
            var during = await ServerMemory.ReadAsync(node, pid, ct);
            var connected = connections - stats.ConnectionErrors;
            double? perConnection = before.Resident is long b && during.Resident is long d && connected > 0 ? (d - b) / (double)connected : null;
            ui.Line($"connected {connected}/{connections} in {ramp.TotalSeconds:0.0}s ({connected / ramp.TotalSeconds:0}/s); server memory {Mb(before.Resident)} -> {Mb(during.Resident)}"
                + (perConnection is { } pc ? $" = {pc / 1024:0.0} KB per connection" : "") + $" ({during.Source}{(during.AfterFullGc ? ", after a full GC" : "")})");

            await using var poster = new Poster(node, token, stats);
            await poster.StartAsync(ct);
            ui.Line($"posting {rate}/s to the thread for {duration.TotalSeconds}s");
            stats.Delivery.Reset();
            var cpu = CpuMeter.Start(pid is int p ? [p] : null);
            var sw = Stopwatch.StartNew();
            var posting = poster.RunAsync([threadId], rate, duration, long.MaxValue, ct);
            while (!posting.IsCompleted)
            {
                await Task.WhenAny(posting, Task.Delay(1000, ct));
                ui.Line($"t={sw.Elapsed.TotalSeconds,4:0}s acks={stats.Acks} deliveries={stats.Deliveries} errors={stats.PostErrors + stats.ConnectionErrors}");
            }
            await posting;
            var share = cpu.Stop();
            var seconds = sw.Elapsed.TotalSeconds;
            await poster.DrainAsync(drain);

            long lastSeq;
            using (var api = new ApiClient(node)) lastSeq = await api.LastSeqAsync(threadId);
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < drain && readers.Any(r => r.LastSeq < lastSeq)) await Task.Delay(100, ct);
            long lost = 0, missing = 0;
            foreach (var r in readers)
            {
                var (m, l) = r.Verify(lastSeq);
                missing += m;
                lost += l;
            }
            var latency = Percentiles.Of(stats.Delivery.GetIntervalHistogram());
            var result = new
            {
                connections, connected, readers = readerCount, sourceAddresses = transport.SourceAddresses,
                rampSeconds = Math.Round(ramp.TotalSeconds, 1), connectsPerSec = Math.Round(connected / ramp.TotalSeconds),
                memory = new { before = before.Resident, after = during.Resident, source = during.Source, afterFullGc = during.AfterFullGc, bytesPerConnection = perConnection },
                rate, seconds = Math.Round(seconds, 1), acks = stats.Acks, postErrors = stats.PostErrors, connectionErrors = stats.ConnectionErrors,
                deliveries = stats.Deliveries, expected = lastSeq * readerCount, latency, lost, missing,
                duplicated = readers.Sum(r => r.Duplicated), outOfOrder = readers.Sum(r => r.OutOfOrder), cpu = share,
            };
            var json = Report.WriteJson(outDir, $"connections-{DateTime.Now:yyyyMMdd-HHmmss}", result);
            ui.Line($"hot thread among {connected} connections: delivery p50 {latency.P50} ms, p99 {latency.P99} ms, max {latency.Max} ms; {stats.Deliveries}/{lastSeq * readerCount} delivered; "
                + $"lost {lost}, missing {missing}, duplicated {result.duplicated}, out of order {result.outOfOrder}; errors: {stats.ConnectionErrors} connection, {stats.PostErrors} post; "
                + $"cores: generator {share.GeneratorCores:0.00}, server {share.ServerCores?.ToString("0.00") ?? "-"}");
            ui.Line($"results: {json}");
            var correct = lost == 0 && missing == 0 && result.duplicated == 0 && result.outOfOrder == 0;
            var errorRate = (double)(stats.ConnectionErrors + stats.PostErrors) / Math.Max(1, connections + stats.PostsSent);
            if (!correct) ui.Line("FAIL: a reader lost, missed, repeated or reordered comments");
            if (errorRate > maxErrorRate) ui.Line($"FAIL: error rate {errorRate:P3} above --max-error-rate {maxErrorRate:P3} (last: {stats.LastError})");
            return correct && errorRate <= maxErrorRate ? 0 : 1;
        }
        finally
        {
            ui.Line($"closing {all.Count} connections");
            await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (r, _) => await r.DisposeAsync());
        }
    }

    /// <summary>Connects at up to connectRate/s (at most 256 connects in flight), with a progress line a second.</summary>
    private static async Task<TimeSpan> RampAsync(List<LeanReader> all, double connectRate, Stats stats, Uri node, int? pid, Ui ui, CancellationToken ct)
    {
        using var inFlight = new SemaphoreSlim(256);
        var sw = Stopwatch.StartNew();
        var tasks = new List<Task>(all.Count);
        var nextReport = TimeSpan.FromSeconds(1);
        long done = 0;
        for (var i = 0; i < all.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / connectRate) - sw.Elapsed;
            if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due, ct);
            await inFlight.WaitAsync(ct);
            var r = all[i];
            tasks.Add(Task.Run(async () =>
            {
                try { await r.StartAsync(ct); }
                catch (Exception e) when (e is not OperationCanceledException) { stats.Error($"connect: {e.Message}", ref stats.ConnectionErrors); }
                finally
                {
                    inFlight.Release();
                    Interlocked.Increment(ref done);
                }
            }, ct));
            if (sw.Elapsed >= nextReport)
            {
                nextReport = sw.Elapsed + TimeSpan.FromSeconds(1);
                ui.Line($"t={sw.Elapsed.TotalSeconds,4:0}s connected {Interlocked.Read(ref done) - stats.ConnectionErrors}/{all.Count} errors {stats.ConnectionErrors}");
            }
        }
        await Task.WhenAll(tasks);
        return sw.Elapsed;
    }

    private static string Mb(long? bytes) => bytes is long b ? $"{b / 1048576.0:0} MB" : "unknown";
}
