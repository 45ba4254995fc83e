using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>
/// One scenario against plain SignalR, SignalR + Redis backplane on 2 nodes, and the product, in one
/// run, alternating (round by round), with the ratios product / baseline. Starts what it needs on
/// loopback free ports; the product too unless --url names one.
/// </summary>
public static class Compare
{
    public const string Plain = "baseline", Redis = "baseline+redis", Product = "product";

    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var scenario = o.String("scenario", "hot-thread")!;
        if (scenario == "community") return await Community.CommunityCompare.RunAsync(o, ui, ct);
        if (scenario == "idle-connections") return await IdleAsync(o, ui, ct);
        if (scenario == "ramp") return await RampAsync(o, ui, ct);
        if (scenario is not ("hot-thread" or "many-threads")) throw new UsageException("--scenario must be hot-thread, many-threads, ramp, idle-connections or community.");
        var productUrls = o.Urls();
        // Lean readers by default: with the .NET client as reader, the generator costs about twice the
        // server's CPU per delivery and the comparison measures the generator (load-tests/README.md).
        var s = Scenarios.Settings(o, scenario, scenario == "hot-thread" ? 1 : null, readers: 2_000, reader: ReaderKinds.Lean);
        var rounds = o.Int("rounds", 1, 1, 10);
        var maxErrorRate = o.Double("max-error-rate", 0.01, 0, 1);
        var chosen = TargetNames(o, [Plain, Redis, Product]);
        var gc = Targets.Gc(o);
        var productEnv = WithGc(Targets.ProductEnv(o), gc);
        var outDir = Scenarios.OutDir(o);
        Scenarios.CheckUnused(o);
        var logDir = Path.Combine(outDir, "logs");

        await using var servers = new ServerSet();
        {
            var targets = await StartTargetsAsync(chosen, productUrls, productEnv, gc, servers, logDir, ui);

            var results = new List<RunResult>();
            for (var round = 1; round <= rounds; round++)
                foreach (var (name, urls, pids) in targets)
                {
                    ct.ThrowIfCancellationRequested();
                    var label = rounds == 1 ? name : $"{name} #{round}";
                    results.Add((await Scenarios.RunOneAsync(scenario, name, urls, s, ui, ct, pids)) with { Target = label });
                    await Task.Delay(1000, ct); // let the last run's connections close before the next
                }

            var rc = Scenarios.Finish($"compare-{scenario}", results, outDir, maxErrorRate, ui, judged: r => r.Target.StartsWith(Product));
            var ratios = Ratios(results);
            ui.Write(RatioTable(ratios));
            Report.WriteJson(outDir, $"compare-ratios-{DateTime.Now:yyyyMMdd-HHmmss}", ratios);
            foreach (var r in results.Where(r => !r.Target.StartsWith(Product) && !r.Correct))
                ui.Line($"note: {r.Target} pushed {r.Duplicated} duplicated and {r.OutOfOrder} out-of-order comments, {r.Lost} lost (its readers repaired them over HTTP; baselines do not fail the run)");
            return rc;
        }
    }

    /// <summary>
    /// Memory per idle connection, the product against plain SignalR in one run (the Redis baseline's
    /// nodes hold the same per connection as plain SignalR, and are left out). Both servers are
    /// started here, so that each reading can be taken after a full GC of that server.
    /// </summary>
    private static async Task<int> IdleAsync(Options o, Ui ui, CancellationToken ct)
    {
        var points = IdleMemory.Points(o, o.Int("readers", 4_000, 2, 100_000));
        var n = points[^1];
        var hold = o.Duration("duration", TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        var kind = ReaderKinds.Parse(o, ReaderKinds.Lean);
        var rounds = o.Int("rounds", 1, 1, 10);
        // --web-apart: the product as Kubernetes runs it, a web node in the Client topology with its
        // silo in another process, so that the web node's memory is the connections' alone.
        var apart = o.Has("web-apart");
        var outDir = Scenarios.OutDir(o);
        var gc = Targets.Gc(o);
        var productEnv = WithGc(Targets.ProductEnv(o), gc);
        var chosen = TargetNames(o, [Plain, Product]);
        if (o.Urls() is not null) throw new UsageException("compare --scenario idle-connections starts its own servers (it needs their pids for a full GC before each reading): leave out --url.");
        Scenarios.CheckUnused(o);
        var logDir = Path.Combine(outDir, "logs");
        var results = new List<IdleMemoryResult>();
        // Fresh servers for every measurement: a runtime keeps what it grew (pools, GC segments),
        // so a second round on the same process would measure only what its first round left over.
        for (var round = 1; round <= rounds; round++)
            foreach (var name in chosen)
            {
                var label = rounds == 1 ? name : $"{name} #{round}";
                await using var servers = new ServerSet();
                Chaos.ChaosCluster? cluster = null;
                try
                {
                    (Uri Url, int Pid) server;
                    if (name == Plain)
                    {
                        ui.Line($"[{label}] starting the plain baseline");
                        var baseline = await servers.Add(Targets.BaselineAsync("baseline", logDir, env: gc));
                        server = (baseline.Url, baseline.Pid);
                    }
                    else if (apart)
                    {
                        ui.Line($"[{label}] starting Azurite, a silo and a web node (Client topology) as separate processes");
                        cluster = await Chaos.ChaosCluster.StartAsync(1, 1, logDir, lab: null, productEnv, ui.Line);
                        server = (cluster.Webs[0].Url, cluster.Webs[0].Process!.Pid);
                    }
                    else
                    {
                        ui.Line($"[{label}] starting Azurite + the product (co-hosted)");
                        var product = await servers.Add(Targets.ProductAsync(logDir, (await servers.Add(Targets.AzuriteAsync(logDir))).Port, openFiles: n + 1_000, productEnv));
                        server = (product.Url, product.Pid);
                    }
                    var r = await IdleMemory.MeasureAsync(label, [server.Url], server.Pid, points, hold, kind, ui, ct);
                    IdleMemory.Print(r, ui);
                    results.Add(r);
                }
                finally
                {
                    if (cluster is not null) await cluster.DisposeAsync();
                }
            }
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]memory per idle connection ({string.Join(", ", points)} {kind} readers, after a full GC{(apart ? "; product web node apart from its silo" : "")})[/]");
        foreach (var c in new[] { "target", "connected", "RSS slope per connection", "RSS per connection (last step)", "RSS per connection (all)", "managed heap per connection (last step)" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var r in results)
            t.AddRow(r.Target, $"{r.Connected}", IdleMemory.Kb(r.SlopeBytesPerConnection), IdleMemory.Kb(r.MarginalBytesPerConnection), IdleMemory.Kb(r.BytesPerConnection), IdleMemory.Kb(r.MarginalManagedBytesPerConnection));
        ui.Write(t);
        double? Mean(string target, Func<IdleMemoryResult, double?> of) => results.Where(r => r.Target.StartsWith(target, StringComparison.Ordinal) && of(r) is not null)
            .Select(r => of(r)!.Value).DefaultIfEmpty(double.NaN).Average() is var v && !double.IsNaN(v) ? v : null;
        static double? Ratio(double? p, double? b) => p is double pv && b is double bv && bv > 0 ? Math.Round(pv / bv, 3) : null;
        var (p, b) = (Mean(Product, r => r.MarginalBytesPerConnection), Mean(Plain, r => r.MarginalBytesPerConnection));
        var (ps, bs) = (Mean(Product, r => r.SlopeBytesPerConnection), Mean(Plain, r => r.SlopeBytesPerConnection));
        var (ratio, slopeRatio) = (Ratio(p, b), Ratio(ps, bs));
        ui.Line($"product / plain SignalR, RSS per idle connection (last step): {IdleMemory.Kb(p)} / {IdleMemory.Kb(b)} = {(ratio is double x ? $"{x:0.00}x" : "unknown")}");
        if (points.Length > 2)
            ui.Line($"product / plain SignalR, RSS slope per idle connection over {points[0]}-{points[^1]}: {IdleMemory.Kb(ps)} / {IdleMemory.Kb(bs)} = {(slopeRatio is double y ? $"{y:0.00}x" : "unknown")}");
        var json = Report.WriteJson(outDir, $"compare-idle-connections-{DateTime.Now:yyyyMMdd-HHmmss}", new
        {
            results, points, webApart = apart, productBytesPerConnection = p, plainBytesPerConnection = b, ratio,
            productSlopeBytesPerConnection = ps, plainSlopeBytesPerConnection = bs, slopeRatio,
        });
        ui.Line($"results: {json}");
        return results.Where(r => r.Target.StartsWith(Product, StringComparison.Ordinal)).Any(r => r.ConnectionErrors > n * 0.01) ? 1 : 0;
    }

    /// <summary>
    /// Each target ramped from a fresh set of readers until it no longer keeps up: the highest rate at
    /// which its p99 (every delivery of the posts due in the step) stays within --p99-limit, and the most deliveries/s it reached
    /// (saturation), with product / plain SignalR for both. The Redis baseline only with --targets:
    /// it falls behind well before the others.
    /// </summary>
    private static async Task<int> RampAsync(Options o, Ui ui, CancellationToken ct)
    {
        var productUrls = o.Urls();
        var s = Scenarios.Settings(o, "ramp", 1, readers: 2_000, reader: ReaderKinds.Lean);
        var r = RampSettings.From(o, untilSaturation: true, start: 60, step: 40);
        var chosen = TargetNames(o, [Plain, Redis, Product], defaults: [Plain, Product]);
        var gc = Targets.Gc(o);
        var productEnv = WithGc(Targets.ProductEnv(o), gc);
        var outDir = Scenarios.OutDir(o);
        Scenarios.CheckUnused(o);
        await using var servers = new ServerSet();
        var targets = await StartTargetsAsync(chosen, productUrls, productEnv, gc, servers, Path.Combine(outDir, "logs"), ui);
        var rounds = o.Int("rounds", 1, 1, 10);
        var results = new List<RampResult>();
        // Rounds alternate the targets, so that a drift of the machine falls on both.
        for (var round = 1; round <= rounds; round++)
            foreach (var (target, urls, pids) in targets)
            {
                var label = rounds == 1 ? target : $"{target} #{round}";
                results.Add(await Chat.LoadTests.Ramp.RampOneAsync(label, urls, s, r, ui, ct, pids));
                await Task.Delay(1000, ct); // let the last run's connections close before the next
            }
        var rc = Scenarios.Finish("compare-ramp", [.. results.Select(x => x.Run)], outDir, 1.0, ui, judged: x => x.Target.StartsWith(Product));
        ui.Write(Chat.LoadTests.Ramp.Table(results, r));
        var name = $"ramp-compare-{DateTime.Now:yyyyMMdd-HHmmss}"; // beside Finish's compare-ramp-*.json (the runs' rows)
        var summary = RampSummary.Of(results, [.. targets.Select(t => t.Name)]);
        if (rounds > 1) ui.Write(RampSummary.Table(summary, r));
        var (p, b) = (summary.FirstOrDefault(x => x.Target == Product), summary.FirstOrDefault(x => x.Target == Plain));
        double? RatioOf(Func<RampSummary, double> f) => p is null || b is null || f(b) == 0 ? null : Math.Round(f(p) / f(b), 3);
        var (rateRatio, saturationRatio) = (RatioOf(x => x.HighestRateWithinLimit.Median), RatioOf(x => x.SaturationDeliveriesPerSec.Median));
        if (p is not null && b is not null)
            ui.Line($"product / plain SignalR{(rounds > 1 ? $", medians of {rounds} rounds" : "")}: highest rate within {r.P99LimitMs} ms {rateRatio:0.00}x ({p.HighestRateWithinLimit.Median:0} / {b.HighestRateWithinLimit.Median:0} posts/s), "
                + $"most deliveries/s {saturationRatio:0.00}x ({p.SaturationDeliveriesPerSec.Median:0} / {b.SaturationDeliveriesPerSec.Median:0})");
        var json = Report.WriteJson(outDir, name, new { settings = r, rounds, results = results.Select(x => new { x.Target, x.HighestRateWithinLimit, x.DeliveriesPerSecWithinLimit, x.SaturationDeliveriesPerSec, x.SaturationRate, x.Steps }), summary, rateRatio, saturationRatio });
        string? png = null;
        try { png = Chat.LoadTests.Ramp.WritePng(outDir, name, results, r); }
        catch (Exception e) { ui.Line($"PNG report failed: {e.Message}"); }
        ui.Line($"ramp results: {json}" + (png is null ? "" : $"  plot: {png}"));
        return rc;
    }

    /// <summary>--targets baseline,baseline+redis,product: which of them to run (all by default).</summary>
    private static string[] TargetNames(Options o, string[] all, string[]? defaults = null)
    {
        var names = (o.String("targets") ?? string.Join(",", defaults ?? all)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in names)
            if (!all.Contains(n)) throw new UsageException($"--targets takes {string.Join(", ", all)} (comma-separated), not '{n}'.");
        if (names.Length == 0) throw new UsageException($"--targets names none of {string.Join(", ", all)}.");
        return [.. all.Where(names.Contains)];
    }

    /// <summary>
    /// Starts the chosen targets on loopback (the product too unless --url named one). Each comes with
    /// its own processes, for its CPU share: storage counts as the product's, redis as its baseline's.
    /// </summary>
    /// <summary>--product-env over the GC mode: an explicit DOTNET_gcServer there wins.</summary>
    private static IReadOnlyDictionary<string, string> WithGc(IReadOnlyDictionary<string, string> productEnv, IReadOnlyDictionary<string, string> gc) =>
        gc.Concat(productEnv).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static async Task<(string Name, Uri[] Urls, int[] Pids)[]> StartTargetsAsync(string[] chosen, Uri[]? productUrls,
        IReadOnlyDictionary<string, string> productEnv, IReadOnlyDictionary<string, string> gc, ServerSet servers, string logDir, Ui ui)
    {
        ui.Line("starting " + string.Join(", ", chosen.Select(n => n switch
        {
            Plain => "plain baseline", Redis => "redis-server + 2 baseline nodes", _ => productUrls is null ? "Azurite + the product" : "(the product at --url)",
        })));
        var targets = new List<(string, Uri[], int[])>();
        foreach (var name in chosen)
            switch (name)
            {
                case Plain:
                    var plain = await servers.Add(Targets.BaselineAsync("baseline", logDir, env: gc));
                    ProcessMeter.Register(plain.Pid, "baseline");
                    targets.Add((Plain, [plain.Url], [plain.Pid]));
                    break;
                case Redis:
                    var redis = await servers.Add(Targets.RedisAsync(logDir));
                    var redisA = await servers.Add(Targets.BaselineAsync("baseline-redis-1", logDir, $"127.0.0.1:{redis.Port}", gc));
                    var redisB = await servers.Add(Targets.BaselineAsync("baseline-redis-2", logDir, $"127.0.0.1:{redis.Port}", gc));
                    ProcessMeter.Register(redis.Pid, "redis");
                    ProcessMeter.Register(redisA.Pid, "baseline");
                    ProcessMeter.Register(redisB.Pid, "baseline");
                    targets.Add((Redis, [redisA.Url, redisB.Url], [redis.Pid, redisA.Pid, redisB.Pid]));
                    break;
                default:
                    if (productUrls is not null) { targets.Add((Product, productUrls, [])); break; }
                    var azurite = await servers.Add(Targets.AzuriteAsync(logDir));
                    var product = await servers.Add(Targets.ProductAsync(logDir, azurite.Port, extraEnv: productEnv));
                    ProcessMeter.Register(azurite.Pid, "azurite");
                    ProcessMeter.Register(product.Pid, "web"); // web node and silo in one process (run.sh)
                    targets.Add((Product, [product.Url], [product.Pid, azurite.Pid]));
                    break;
            }
        return [.. targets];
    }

    public sealed record Ratio(string Baseline, double DeliveriesPerSec, double BaselineDeliveriesPerSec, double DeliveriesRatio,
        double P99Ms, double BaselineP99Ms, double P99Ratio);

    public static Ratio[] Ratios(IReadOnlyList<RunResult> results)
    {
        var product = results.Where(r => r.Target.StartsWith(Product)).ToArray();
        if (product.Length == 0) return [];
        double pd = product.Average(r => r.DeliveriesPerSec), pp = product.Average(r => r.Latency.P99);
        return new[] { Plain, Redis }.Select(b => (b, rows: results.Where(r => r.Target == b || r.Target.StartsWith(b + " #")).ToArray()))
            .Where(x => x.rows.Length > 0).Select(x =>
        {
            var (b, rows) = x;
            double bd = rows.Average(r => r.DeliveriesPerSec), bp = rows.Average(r => r.Latency.P99);
            return new Ratio(b, Math.Round(pd), Math.Round(bd), bd == 0 ? 0 : Math.Round(pd / bd, 3), Math.Round(pp, 2), Math.Round(bp, 2), bp == 0 ? 0 : Math.Round(pp / bp, 3));
        }).ToArray();
    }

    private static Table RatioTable(Ratio[] ratios)
    {
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]product / baseline[/]");
        foreach (var c in new[] { "baseline", "deliveries/s product", "deliveries/s baseline", "ratio", "p99 ms product", "p99 ms baseline", "p99 ratio" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var r in ratios)
            t.AddRow(r.Baseline, $"{r.DeliveriesPerSec:0}", $"{r.BaselineDeliveriesPerSec:0}", $"{r.DeliveriesRatio:0.00}x", $"{r.P99Ms}", $"{r.BaselineP99Ms}", $"{r.P99Ratio:0.00}x");
        return t;
    }
}
