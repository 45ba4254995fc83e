using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// The README's `./run.sh --cluster`, as a person runs it: a node that dies leaves the rest running,
/// the script says which died and how to start it again, and that command brings it back.
/// </summary>
[Trait("Lane", Lanes.Processes)]
public sealed partial class RunScriptTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chat-runsh-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ChildProcess> _processes = [];

    // What the script and the printed command wrote (stdout and stderr), each process's in order.
    private IEnumerable<string> Lines
    {
        get { lock (_processes) return [.. _processes.SelectMany(p => p.Lines)]; }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_killed_silo_leaves_the_cluster_running_and_the_command_the_script_prints_brings_it_back()
    {
        var (webPort, tablePort) = (FreePort.Next(), FreePort.Next());
        var (siloPort, gatewayPort, healthPort) = (FreePort.NextRun(2), FreePort.NextRun(2), FreePort.NextRun(2));
        // This project builds both hosts in its own configuration: in Release (test.sh's), the
        // script runs that build instead of building again (two host builds, ~1 min on 2 busy cores).
        string[] noBuild = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? ["--no-build"] : [];
        var script = Start("bash", ["run.sh", .. noBuild, "--cluster", "--silos", "2", "--web", "1"], new()
        {
            ["PORT"] = $"{webPort}", ["AZURITE_TABLE_PORT"] = $"{tablePort}", ["AZURITE_BLOB_PORT"] = $"{FreePort.Next()}", ["DATA_DIR"] = _dataDir,
            ["SILO_PORT"] = $"{siloPort}", ["GATEWAY_PORT"] = $"{gatewayPort}", ["SILO_HEALTH_PORT"] = $"{healthPort}",
        });
        await WaitForLineAsync("Chat is running", TimeSpan.FromMinutes(4));
        var web = new Uri($"http://127.0.0.1:{webPort}");
        using var user = await ChatApiClient.SignedUpAsync(web);
        var threadId = await user.CreateThreadAsync("Through a dead silo");
        Assert.Equal(1, await user.PostCommentSeqAsync(threadId, 0, "before"));

        var silo1 = int.Parse(PidOf().Match(await WaitForLineAsync("Chat.Silo 1 is pid", TimeSpan.Zero)).Groups[1].Value);
        Signals.Send(silo1, Signal.Kill);

        var died = await WaitForLineAsync($"Chat.Silo 1 (pid {silo1}) was killed by signal 9; 2 node(s) keep running.", TimeSpan.FromSeconds(20));
        var restart = (await WaitForLineAsync("(source ", TimeSpan.FromSeconds(5))).Trim();
        Assert.False(script.HasExited, "the script stopped when one silo died");
        // The rest keeps serving: the web node and the other silo take the thread over.
        await Eventually.True(async () => (await user.PostCommentAsync(threadId, 0, "after", "after-kill")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "a post through the surviving silo");
        Assert.Equal(2, (await user.GetCommentsAsync(threadId)).Length);

        // The printed command's silo runs under a subshell, as in the user's terminal, where Ctrl-C
        // stops both: a SIGTERM to the shell alone would leave the silo running on (so its whole tree is killed at the end).
        var again = Start("bash", ["-c", restart], [], Signal.Kill);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.True(async () =>
        {
            Assert.False(again.HasExited, "the printed command exited");
            try { return (await http.GetAsync($"http://127.0.0.1:{healthPort}/health/ready")).IsSuccessStatusCode; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
        }, TimeSpan.FromSeconds(90), "the restarted silo ready");

        // SIGTERM (as Ctrl-C would) stops what the script started: the web node and Azurite.
        script.Signal(Signal.Term);
        // The wait returns once the script exited and its last output lines reached the log (a fresh
        // clone failed on the last line once when only the exit was waited for).
        Assert.True(await script.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the script did not stop within 60 s");
        Assert.Contains("==> stopped", Lines);
        Assert.False(await FreePort.IsListeningAsync(webPort), "the web node still listens after the script stopped");
        output.WriteLine(died);
    }

    [GeneratedRegex(@"is pid (\d+)")]
    private static partial Regex PidOf();

    /// <param name="stop">What the end of the test sends it if it still runs (then 30 s to exit, then its tree is killed).</param>
    private ChildProcess Start(string file, string[] args, Dictionary<string, string> env, Signal stop = Signal.Term)
    {
        var launch = new ProcessLaunch(file, file, args)
        {
            WorkingDirectory = RepoPaths.Root,
            // Fast failure detection, as the other process tests have it; one GC heap per process on a small machine.
            Environment = new Dictionary<string, string?>
            {
                ["Chat__Membership__ProbeTimeout"] = "00:00:01",
                ["Chat__Membership__NumMissedProbesLimit"] = "2",
                ["DOTNET_gcServer"] = "0",
            }.Concat(env.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))).ToDictionary(),
            TailLines = int.MaxValue,
            StopSignal = stop,
            StopGrace = TimeSpan.FromSeconds(30),
        };
        var process = ChildProcess.Start(launch);
        lock (_processes) _processes.Add(process);
        return process;
    }

    private async Task<string> WaitForLineAsync(string text, TimeSpan within)
    {
        string? found = null;
        await Eventually.True(() => Task.FromResult((found = Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal))) is not null),
            within, $"a line with '{text}' from run.sh");
        return found!;
    }

    public async Task DisposeAsync()
    {
        File.WriteAllLines(Path.Combine(RepoPaths.Artifacts, "run-sh-cluster.log"), Lines);
        // Whatever is still running after a failure: the printed command's silo, the script and its nodes.
        foreach (var process in Enumerable.Reverse(_processes)) await process.DisposeAsync();
        foreach (var line in Lines.Where(l => l.Contains(" is pid ", StringComparison.Ordinal)))
            Signals.Send(int.Parse(PidOf().Match(line).Groups[1].Value), Signal.Kill); // false: gone already
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
