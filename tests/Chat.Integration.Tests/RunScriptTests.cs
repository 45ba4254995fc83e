using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// The README's `./run.sh --cluster`, as a person runs it: a node that dies leaves the rest running,
/// the script says which died and how to start it again, and that command brings it back.
/// </summary>
[Trait("Lane", Lanes.Processes)]
public sealed partial class RunScriptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chat-runsh-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<Process> _processes = [];
    private Process? _restarted;

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
            ["PORT"] = $"{webPort}", ["AZURITE_TABLE_PORT"] = $"{tablePort}", ["DATA_DIR"] = _dataDir,
            ["SILO_PORT"] = $"{siloPort}", ["GATEWAY_PORT"] = $"{gatewayPort}", ["SILO_HEALTH_PORT"] = $"{healthPort}",
        });
        await WaitForLineAsync("Chat is running", TimeSpan.FromMinutes(4));
        var web = new Uri($"http://127.0.0.1:{webPort}");
        using var user = await ChatApiClient.SignedUpAsync(web);
        var threadId = await user.CreateThreadAsync("Through a dead silo");
        Assert.Equal(1, await user.PostCommentSeqAsync(threadId, 0, "before"));

        var silo1 = int.Parse(PidOf().Match(await WaitForLineAsync("Chat.Silo 1 is pid", TimeSpan.Zero)).Groups[1].Value);
        ProcessSignals.KillHard(Process.GetProcessById(silo1));

        var died = await WaitForLineAsync($"Chat.Silo 1 (pid {silo1}) was killed by signal 9; 2 node(s) keep running.", TimeSpan.FromSeconds(20));
        var restart = (await WaitForLineAsync("(source ", TimeSpan.FromSeconds(5))).Trim();
        Assert.False(script.HasExited, "the script stopped when one silo died");
        // The rest keeps serving: the web node and the other silo take the thread over.
        await Eventually.True(async () => (await user.PostCommentAsync(threadId, 0, "after", "after-kill")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "a post through the surviving silo");
        Assert.Equal(2, (await user.GetCommentsAsync(threadId)).Length);

        var again = _restarted = Start("bash", ["-c", restart], []);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.True(async () =>
        {
            Assert.False(again.HasExited, "the printed command exited");
            try { return (await http.GetAsync($"http://127.0.0.1:{healthPort}/health/ready")).IsSuccessStatusCode; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
        }, TimeSpan.FromSeconds(90), "the restarted silo ready");

        // SIGTERM (as Ctrl-C would) stops what the script started: the web node and Azurite.
        ProcessSignals.Terminate(script);
        Assert.True(script.WaitForExit(TimeSpan.FromSeconds(60)), "the script did not stop within 60 s");
        // The timed wait returns at exit, possibly before the last output lines reached the handlers
        // (a fresh clone failed on the last line once); the untimed one waits for them.
        script.WaitForExit();
        Assert.Contains("==> stopped", _lines);
        Assert.False(await FreePort.IsListeningAsync(webPort), "the web node still listens after the script stopped");
        output.WriteLine(died);
    }

    [GeneratedRegex(@"is pid (\d+)")]
    private static partial Regex PidOf();

    private Process Start(string file, string[] args, Dictionary<string, string> env)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Fast failure detection, as the other process tests have it; one GC heap per process on a small machine.
        start.Environment["Chat__Membership__ProbeTimeout"] = "00:00:01";
        start.Environment["Chat__Membership__NumMissedProbesLimit"] = "2";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in env) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) _lines.Enqueue(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _lines.Enqueue(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private async Task<string> WaitForLineAsync(string text, TimeSpan within)
    {
        string? found = null;
        await Eventually.True(() => Task.FromResult((found = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal))) is not null),
            within, $"a line with '{text}' from run.sh");
        return found!;
    }

    public void Dispose()
    {
        File.WriteAllLines(Path.Combine(RepoPaths.Artifacts, "run-sh-cluster.log"), _lines);
        // The printed command's silo runs under a subshell, as in the user's terminal, where Ctrl-C
        // stops both: a SIGTERM to the shell alone would leave the silo running on.
        if (_restarted is { HasExited: false }) _restarted.Kill(entireProcessTree: true);
        // Whatever is still running after a failure: the script and its nodes.
        foreach (var process in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited) ProcessSignals.Terminate(process);
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
        foreach (var line in _lines.Where(l => l.Contains(" is pid ", StringComparison.Ordinal)))
        {
            try { Process.GetProcessById(int.Parse(PidOf().Match(line).Groups[1].Value)).Kill(); }
            catch (ArgumentException) { /* gone already */ }
        }
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
