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
        if (scenario is not ("hot-thread" or "many-threads")) throw new UsageException("--scenario must be hot-thread or many-threads.");
        var productUrls = o.Urls();
        // Lean readers by default: with the .NET client as reader, the generator costs about twice the
        // server's CPU per delivery and the comparison measures the generator (load-tests/README.md).
        var s = Scenarios.Settings(o, scenario, scenario == "hot-thread" ? 1 : null, readers: 2_000, reader: ReaderKinds.Lean);
        var rounds = o.Int("rounds", 1, 1, 10);
        var maxErrorRate = o.Double("max-error-rate", 0.01, 0, 1);
        var outDir = Scenarios.OutDir(o);
        Scenarios.CheckUnused(o);
        var logDir = Path.Combine(outDir, "logs");

        await using var servers = new ServerSet();
        {
            ui.Line("starting plain baseline, redis-server + 2 baseline nodes" + (productUrls is null ? ", Azurite + the product" : ""));
            var plain = await servers.Add(Targets.BaselineAsync("baseline", logDir));
            var redis = await servers.Add(Targets.RedisAsync(logDir));
            var redisA = await servers.Add(Targets.BaselineAsync("baseline-redis-1", logDir, $"127.0.0.1:{redis.Port}"));
            var redisB = await servers.Add(Targets.BaselineAsync("baseline-redis-2", logDir, $"127.0.0.1:{redis.Port}"));
            int[] productPids = [];
            if (productUrls is null)
            {
                var azurite = await servers.Add(Targets.AzuriteAsync(logDir));
                var product = await servers.Add(Targets.ProductAsync(logDir, azurite.Port));
                productUrls = [product.Url];
                productPids = [product.Pid, azurite.Pid];
            }
            // Each target's own processes, for its CPU share: storage counts as the product's, redis as its baseline's.
            var targets = new (string Name, Uri[] Urls, int[] Pids)[]
            {
                (Plain, [plain.Url], [plain.Pid]), (Redis, [redisA.Url, redisB.Url], [redis.Pid, redisA.Pid, redisB.Pid]), (Product, productUrls, productPids),
            };

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

    public sealed record Ratio(string Baseline, double DeliveriesPerSec, double BaselineDeliveriesPerSec, double DeliveriesRatio,
        double P99Ms, double BaselineP99Ms, double P99Ratio);

    public static Ratio[] Ratios(IReadOnlyList<RunResult> results)
    {
        var product = results.Where(r => r.Target.StartsWith(Product)).ToArray();
        if (product.Length == 0) return [];
        double pd = product.Average(r => r.DeliveriesPerSec), pp = product.Average(r => r.Latency.P99);
        return new[] { Plain, Redis }.Select(b =>
        {
            var rows = results.Where(r => r.Target == b || r.Target.StartsWith(b + " #")).ToArray();
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
