using System.Text.Json;
using System.Text.Json.Nodes;
using Chat.LoadTests.Chaos;
using Spectre.Console;

namespace Chat.LoadTests.Community;

/// <summary>
/// `compare --scenario community`: the same community workload against the product (a cluster of
/// separate processes), plain SignalR (one node, one group per thread) and SignalR + Redis (--web
/// nodes on one redis), every server with the same GC mode (--gc), in --rounds rounds (default 3)
/// that alternate the targets; each target's figures are the median over its rounds, with ranges.
/// </summary>
public static class CommunityCompare
{
    public const string Product = "product", Plain = "plain", Redis = "redis";

    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var s = CommunitySettings.From(o);
        var rounds = o.Int("rounds", 3, 1, 10);
        var all = new[] { Plain, Redis, Product };
        var chosen = (o.String("targets") ?? string.Join(",", all)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in chosen)
            if (!all.Contains(n)) throw new UsageException($"compare --scenario community: --targets takes {string.Join(", ", all)}, not '{n}'.");
        var productUrls = o.Urls("urls");
        var siloUrls = o.Urls("silo-urls");
        var env = CommunityScenario.Env(o, s);
        var outPath = CommunityScenario.OutFile(o, "compare-community");
        Scenarios.CheckUnused(o);
        var outDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        var logDir = Path.Combine(outDir, Path.GetFileNameWithoutExtension(outPath) + "-logs");
        var gcEnv = CommunitySettings.GcEnv(s.Gc);

        await using var servers = new ServerSet();
        ChaosCluster? cluster = null;
        try
        {
            var targets = new List<CommunityTarget>();
            foreach (var name in all.Where(chosen.Contains))
                switch (name)
                {
                    case Plain:
                        var plain = await servers.Add(Targets.BaselineAsync("baseline", logDir, env: gcEnv));
                        ProcessMeter.Register(plain.Pid, "baseline");
                        targets.Add(new CommunityTarget(Plain, [plain.Url], [("baseline", plain.Pid)], []));
                        break;
                    case Redis:
                        var redis = await servers.Add(Targets.RedisAsync(logDir));
                        var nodes = new List<ServerProcess>();
                        for (var i = 1; i <= s.Webs; i++) nodes.Add(await servers.Add(Targets.BaselineAsync($"baseline-redis-{i}", logDir, $"127.0.0.1:{redis.Port}", gcEnv)));
                        targets.Add(new CommunityTarget(Redis, [.. nodes.Select(n => n.Url)], [("redis", redis.Pid), .. nodes.Select(n => ("baseline", n.Pid))], []));
                        break;
                    default:
                        if (productUrls is not null)
                            targets.Add(new CommunityTarget(Product, productUrls, [], [.. (siloUrls ?? []).Select((u, i) => ($"silo{i + 1}", u))]));
                        else targets.Add(CommunityScenario.Of(cluster = await CommunityScenario.StartClusterAsync(s, logDir, env, ui)));
                        break;
                }

            var results = targets.ToDictionary(t => t.Name, _ => new List<CommunityResult>());
            for (var round = 1; round <= rounds; round++)
                foreach (var target in targets)
                {
                    ct.ThrowIfCancellationRequested();
                    ui.Line($"round {round} of {rounds}: {target.Name}");
                    results[target.Name].Add(await CommunityScenario.RunOnceAsync(target, s, ui, logDir, ct));
                    await Task.Delay(1000, ct); // let the last run's connections close before the next
                }

            ui.Write(CommunityScenario.Summary([.. results.SelectMany(kv => kv.Value.Select((r, i) => r with { Name = $"{kv.Key} #{i + 1}" }))]));
            var medians = results.Select(kv => Median(kv.Key, kv.Value)).ToList();
            ui.Write(MedianTable(medians));
            var doc = new JsonObject
            {
                ["settings"] = JsonSerializer.SerializeToNode(s, ApiClient.Json),
                ["rounds"] = rounds,
                ["gc"] = s.Gc,
                ["targets"] = new JsonArray([.. medians]),
            };
            if (medians.FirstOrDefault(m => (string?)m["name"] == Product) is { } p)
                doc["ratios"] = new JsonObject(medians.Where(m => (string?)m["name"] != Product).Select(b => KeyValuePair.Create((string)b["name"]!, (JsonNode?)new JsonObject
                {
                    ["p99"] = Ratio(p, b, "latencyMs", "p99"),
                    ["p999"] = Ratio(p, b, "latencyMs", "p999"),
                    ["deliveriesPerSec"] = Ratio(p, b, "deliveriesPerSec"),
                })));
            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(outPath, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);
            ui.Line($"results: {outPath}");
            var rc = 0;
            foreach (var r in results.GetValueOrDefault(Product) ?? []) rc |= CommunityScenario.Judge(r, ui);
            foreach (var (name, rows) in results.Where(kv => kv.Key != Product))
                foreach (var r in rows.Where(r => !r.Correct || r.PostErrors > 0))
                    ui.Line($"note: {name} lost {r.Lost}, duplicated {r.Duplicated}, out of order {r.OutOfOrder}, post errors {r.PostErrors} (baselines do not fail the run)");
            return rc;
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync();
        }
    }

    private static double? Ratio(JsonNode p, JsonNode b, params string[] path)
    {
        JsonNode? x = p, y = b;
        foreach (var k in path) { x = x?[k]; y = y?[k]; }
        return x is null || y is null || (double)y == 0 ? null : Math.Round((double)x / (double)y, 3);
    }

    /// <summary>
    /// One target's rounds as one row: every number the median of the rounds (the upper middle of an
    /// even count), the rest from the first round, and <c>ranges</c>: [min, max] of every number that varied.
    /// </summary>
    public static JsonObject Median(string name, IReadOnlyList<CommunityResult> rounds)
    {
        var nodes = rounds.Select(r => JsonSerializer.SerializeToNode(r with { Timeline = [] }, ApiClient.Json)!.AsObject()).ToList();
        foreach (var n in nodes) { n.Remove("timeline"); n.Remove("settings"); }
        var ranges = new JsonObject();
        var median = (JsonObject)MedianOf(nodes.Cast<JsonNode?>().ToList(), "", ranges)!;
        median["name"] = name;
        median["roundCount"] = rounds.Count;
        median["ranges"] = ranges;
        return median;
    }

    private static JsonNode? MedianOf(List<JsonNode?> nodes, string path, JsonObject ranges)
    {
        var first = nodes[0];
        switch (first)
        {
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (key, _) in o)
                    result[key] = MedianOf([.. nodes.Select(n => (n as JsonObject)?[key])], path.Length == 0 ? key : $"{path}.{key}", ranges);
                return result;
            case JsonArray a when nodes.All(n => n is JsonArray b && b.Count == a.Count):
                return new JsonArray([.. Enumerable.Range(0, a.Count).Select(i => MedianOf([.. nodes.Select(n => ((JsonArray)n!)[i])], $"{path}[{i}]", ranges))]);
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && nodes.All(n => n is JsonValue w && w.GetValueKind() == JsonValueKind.Number):
                var spread = Spread.Of(nodes.Select(n => n!.GetValue<double>()));
                if (spread.Min != spread.Max) ranges[path] = new JsonArray(spread.Min, spread.Max);
                return JsonValue.Create(spread.Median);
            default:
                return first?.DeepClone();
        }
    }

    private static Table MedianTable(IReadOnlyList<JsonObject> medians)
    {
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]community: median over the rounds (range)[/]");
        foreach (var c in new[] { "target", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "ack p99 ms", "hottest p99 ms", "post err", "lost / dup / out-of-order" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var m in medians)
        {
            var ranges = m["ranges"]!.AsObject();
            string F(string path)
            {
                JsonNode? x = m;
                foreach (var k in path.Split('.')) x = x?[k];
                return $"{x}" + (ranges[path] is JsonArray r ? $" ({r[0]}-{r[1]})" : "");
            }
            t.AddRow(Markup.Escape((string)m["name"]!), F("deliveriesPerSec"), F("latencyMs.p50"), F("latencyMs.p99"), F("latencyMs.p999"), F("ackMs.p99"),
                F("hottestThread.latencyMs.p99"), F("postErrors"), $"{m["lost"]} / {m["duplicated"]} / {m["outOfOrder"]}");
        }
        return t;
    }
}
