namespace Chat.Integration.Tests;

/// <summary>
/// The launcher every process test and the load tool start processes with (Chat.Processes), on
/// small shell scripts: output reaches the log and the tail, a process that exits or does not get
/// ready fails the start and is not left running, a signal by name reaches it, and disposing stops
/// it as its launch says and leaves nothing of its tree running.
/// </summary>
[Trait(Lanes.Trait, Lanes.Processes)]
public sealed class ChildProcessTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly string _logs = Directory.CreateTempSubdirectory("chat-childprocess-").FullName;

    private ProcessLaunch Script(string name, string script) => new(name, "sh", ["-c", script]) { LogDirectory = _logs };

    [Fact]
    public async Task Output_reaches_the_log_file_and_the_tail()
    {
        await using var process = ChildProcess.Start(Script("echo", "echo one; echo two >&2; echo ready; exec sleep 600"));
        await process.WaitUntilReadyAsync(() => Task.FromResult(process.Lines.Contains("ready")), Within, "ready in its output");
        Assert.Contains("one", process.Lines);
        Assert.Contains("two", process.Lines);
        Assert.Equal(Path.Combine(_logs, "echo.log"), process.LogFile);
        await Eventually.True(() => File.ReadAllLines(process.LogFile!).Contains("ready"), Within, "its output in the log file");
    }

    [Fact]
    public async Task A_process_that_exits_before_it_is_ready_fails_the_start_with_what_it_wrote()
    {
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ChildProcess.StartAsync(Script("broken", "echo no such setting; exit 3"), ChildProcess.Listening(FreePort.Next()), Within, "never"));
        Assert.Contains("broken exited with code 3", failed.Message);
        Assert.Contains("no such setting", failed.Message);
    }

    [Fact]
    public async Task A_process_not_ready_by_the_deadline_fails_the_start_and_is_stopped()
    {
        await Assert.ThrowsAsync<TimeoutException>(() =>
            ChildProcess.StartAsync(Script("slow", "echo pid $$; exec sleep 600"), () => Task.FromResult(false), TimeSpan.FromSeconds(1), "never"));
        var pid = int.Parse(File.ReadAllLines(Path.Combine(_logs, "slow.log")).Single(l => l.StartsWith("pid ", StringComparison.Ordinal))[4..]);
        await Eventually.True(() => IsGone(pid), Within, "the process that did not get ready gone");
    }

    [Fact]
    public async Task A_signal_by_name_reaches_the_process_and_disposing_sends_the_stop_signal_of_its_launch()
    {
        const string handles = "trap 'echo got TERM; exit 0' TERM; trap 'echo got INT; exit 0' INT; echo ready; while :; do sleep 0.1; done";
        await using (var process = ChildProcess.Start(Script("term", handles)))
        {
            await process.WaitUntilReadyAsync(() => Task.FromResult(process.Lines.Contains("ready")), Within, "ready in its output");
            process.Signal("term");
            Assert.True(await process.WaitForExitAsync(Within), "the process did not exit on SIGTERM");
            Assert.Contains("got TERM", process.Lines);
            Assert.Equal(0, process.ExitCode);
        }

        // As Azurite is stopped: SIGINT, time to flush, then the tree is killed.
        var interrupted = ChildProcess.Start(Script("int", handles) with { StopSignal = Signal.Int, StopGrace = Within });
        await interrupted.WaitUntilReadyAsync(() => Task.FromResult(interrupted.Lines.Contains("ready")), Within, "ready in its output");
        await interrupted.DisposeAsync();
        Assert.Contains("got INT", interrupted.Lines);
        Assert.Equal(0, interrupted.ExitCode);
    }

    [Fact]
    public async Task Disposing_kills_what_the_process_started_too()
    {
        var process = ChildProcess.Start(Script("tree", "sleep 600 & echo child $!; wait"));
        await process.WaitUntilReadyAsync(() => Task.FromResult(process.Lines.Any(l => l.StartsWith("child ", StringComparison.Ordinal))), Within, "the child's pid");
        var child = int.Parse(process.Lines.Single(l => l.StartsWith("child ", StringComparison.Ordinal))[6..]);
        Assert.False(IsGone(child));
        await process.DisposeAsync();
        Assert.True(process.HasExited);
        await Eventually.True(() => IsGone(child), Within, "the child of the disposed process gone");
    }

    /// <summary>No such process, or a zombie waiting for a parent that is not ours to reap it.</summary>
    private static bool IsGone(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return true; }
    }

    public void Dispose() => Directory.Delete(_logs, recursive: true);
}
