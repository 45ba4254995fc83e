using System.Text.Json;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>
/// CI smoke of `community` at a small size: the tool starts Azurite, 2 silos and 2 web nodes as
/// separate processes and 2 generator processes; ~20 threads, ~100 readers, 10 s. It asserts
/// correctness and the JSON's fields, not timings (the machine is shared).
/// </summary>
[Trait(Lanes.Trait, Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class CommunitySmokeTests
{
    private readonly string _out = Path.Combine(RepoPaths.Artifacts, "community-smoke-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_small_community_on_a_cluster_loses_repeats_and_reorders_nothing_and_reports_every_field()
    {
        var file = Path.Combine(_out, "community.json");
        var started = DateTime.UtcNow;

        var rc = await LoadTool.RunAsync(["community", "--silos", "2", "--web", "2", "--threads", "20", "--readers", "100", "--idle", "25", "--workers", "2",
            "--posters", "10", "--rate", "10", "--duration", "10s", "--warmup", "3s", "--drain", "15s", "--gc", "workstation", "--out", file, "--no-live"]);

        var r = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        foreach (var bad in new[] { "lost", "duplicated", "outOfOrder", "missing", "postErrors", "connectErrors" })
            Assert.True(r.GetProperty(bad).GetInt64() == 0, $"{bad}: {r.GetProperty(bad).GetInt64()} (last error: {r.GetProperty("lastError")})");
        Assert.InRange(r.GetProperty("postsAcked").GetInt64(), 80, 200); // 10/s for 13 s
        Assert.Equal(r.GetProperty("expected").GetInt64(), r.GetProperty("deliveries").GetInt64());
        Assert.True(r.GetProperty("deliveries").GetInt64() > 0);
        var latency = r.GetProperty("latencyMs");
        Assert.True(latency.GetProperty("p50").GetDouble() > 0);
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("p999").GetDouble());
        Assert.True(latency.GetProperty("p999").GetDouble() <= latency.GetProperty("max").GetDouble());
        Assert.True(r.GetProperty("ackMs").GetProperty("p99").GetDouble() > 0);
        var hottest = r.GetProperty("hottestThread");
        Assert.InRange(hottest.GetProperty("readers").GetInt32(), 1, 100);
        Assert.True(hottest.GetProperty("latencyMs").GetProperty("p99").GetDouble() > 0);
        Assert.InRange(r.GetProperty("peakConnections").GetInt32(), 100, 200); // 100 readers + 25 idle + 10 posters
        var roles = r.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("role").GetString()).ToList();
        Assert.Equal(2, roles.Count(x => x == "web"));
        Assert.Equal(2, roles.Count(x => x == "silo"));
        Assert.Equal(1, roles.Count(x => x == "azurite"));
        Assert.Equal(3, roles.Count(x => x == "generator")); // 2 workers and the coordinator
        Assert.All(r.GetProperty("processes").EnumerateArray(), p =>
        {
            Assert.True(p.GetProperty("cpuCores").GetDouble() >= 0);
            Assert.True(p.GetProperty("rssMb").GetDouble() > 0);
        });
        var activations = r.GetProperty("activationsBySilo").EnumerateObject().ToList();
        Assert.Equal(2, activations.Count);
        Assert.InRange(activations.Sum(a => a.Value.GetInt64()), 1, 20); // every activation of the 20 threads is on one of them
        Assert.Equal(2, r.GetProperty("workers").GetInt32());
        Assert.Equal(0, rc);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMinutes(2), $"took {DateTime.UtcNow - started}");
    }
}
