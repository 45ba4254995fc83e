using System.Diagnostics;
using System.Text.Json;
using Chat.LoadTests.Chaos;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>
/// CI smoke of the chaos scenario: a minute of load on a cluster of 3 silos and 2 web nodes that the
/// tool starts itself, with a fixed schedule (SIGKILL of the silo hosting the thread, SIGSTOP of the
/// one hosting it then, and, as root, the thread's silo cut from the other silos). It asserts the
/// checker's invariants, not timings, and that the run left nothing behind.
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class ChaosSmokeTests
{
    private readonly string _out = Path.Combine(RepoPaths.Artifacts, "chaos-smoke-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_kill_a_stop_and_a_partition_lose_repeat_and_reorder_nothing_and_leave_nothing_behind()
    {
        if (NetworkLab.IsRoot)
            Assert.True(NetworkLab.WhyNot() is null, $"run as root, so the smoke includes a partition, but: {NetworkLab.WhyNot()} (test.sh installs it)");
        var partition = NetworkLab.IsRoot ? "; 38s partition silo-silo for 6s" : "";

        var rc = await LoadTool.RunAsync(["chaos", "--silos", "3", "--web", "2", "--readers", "20", "--posters", "2", "--rate", "10", "--duration", "60s",
            "--membership", "fast", "--catch-up", "30s", "--schedule", $"10s kill silo:thread for 3s; 24s stop silo:thread for 4s{partition}", "--out", _out, "--no-live"]);

        var json = Directory.GetFiles(_out, "chaos-*.json").Single();
        var result = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        var broken = result.GetProperty("invariants").EnumerateArray().Where(i => i.GetProperty("violations").GetInt64() != 0)
            .Select(i => $"{i.GetProperty("name").GetString()}: {i.GetProperty("violations").GetInt64()} ({string.Join("; ", i.GetProperty("examples").EnumerateArray())})").ToList();
        Assert.True(broken.Count == 0, "invariants broken: " + string.Join(" | ", broken));
        Assert.Equal(0, result.GetProperty("lost").GetInt64());
        Assert.Equal(0, result.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, result.GetProperty("outOfOrder").GetInt64());
        Assert.Equal(0, result.GetProperty("ackedAndFailed").GetInt64());
        Assert.True(result.GetProperty("acked").GetInt64() >= 300, $"only {result.GetProperty("acked").GetInt64()} of ~600 posts acknowledged");
        Assert.Equal(result.GetProperty("settings").GetProperty("readers").GetInt32(), result.GetProperty("readersCaughtUp").GetInt32());

        // Every fault happened (none skipped or failed to undo), to a silo.
        var faults = result.GetProperty("faults").EnumerateArray().ToList();
        Assert.Equal(NetworkLab.IsRoot ? 3 : 2, faults.Count);
        Assert.All(faults, f => Assert.StartsWith("silo", f.GetProperty("node").GetString()));
        Assert.All(faults, f => Assert.DoesNotContain("failed", f.GetProperty("note").GetString() ?? ""));
        Assert.Equal(NetworkLab.IsRoot, result.GetProperty("partitions").GetBoolean());
        Assert.Single(Directory.GetFiles(_out, "chaos-*.png"));
        Assert.Equal(0, rc);

        // Nothing of the run is left: no namespace, link or process of its own.
        if (NetworkLab.IsRoot)
        {
            Assert.DoesNotContain($"chaos{Environment.ProcessId}-", await OutputOf("ip", "netns list"));
            Assert.DoesNotContain($"chb{Environment.ProcessId}", await OutputOf("ip", "-o link show"));
        }
        var pids = result.GetProperty("processIds").EnumerateArray().Select(p => p.GetInt32()).ToList();
        Assert.True(pids.Count >= 7, $"the run says it started {pids.Count} processes (Azurite, 3 silos, 2 web nodes, a restarted silo)");
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} of the run is still there"));
    }

    private static async Task<string> OutputOf(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}
