using System.ComponentModel;
using System.Diagnostics;

namespace Chat.Processes;

/// <summary>
/// A process started from a <see cref="ProcessLaunch"/>: its output goes to a log file (when asked)
/// and to an in-memory tail as it comes; it can be waited on until ready (a condition, a port, an
/// HTTP path), signalled by name, waited on with a deadline; disposing it stops it as its launch
/// says and kills whatever of its tree is left, so that a failed test or run leaves nothing behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly Process _process;
    private readonly ProcessLaunch _launch;
    private readonly Queue<string> _tail = new();
    private readonly StreamWriter? _log;
    private readonly Lock _lock = new();
    private bool _disposed;

    private ChildProcess(ProcessLaunch launch, Process process, StreamWriter? log)
    {
        _launch = launch;
        _process = process;
        _log = log;
        Pid = process.Id;
        process.OutputDataReceived += (_, e) => Take(e.Data);
        process.ErrorDataReceived += (_, e) => Take(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name => _launch.Name;
    public int Pid { get; }
    public bool HasExited => _exitCode is not null || _process.HasExited;
    public int? ExitCode => _exitCode ?? (_process.HasExited ? _process.ExitCode : null);

    // Kept when disposed: a disposed Process answers nothing.
    private int? _exitCode;

    /// <summary>The log file (null when the launch has no <see cref="ProcessLaunch.LogDirectory"/>).</summary>
    public string? LogFile { get; private init; }

    /// <summary>The last output lines (stdout and stderr as they came), at most the launch's <see cref="ProcessLaunch.TailLines"/>.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lock) return [.. _tail]; }
    }

    /// <summary><see cref="Lines"/> as one text, a line each.</summary>
    public string Output
    {
        get
        {
            lock (_lock) return string.Concat(_tail.Select(l => l + System.Environment.NewLine));
        }
    }

    /// <summary>Starts the process; its output is read from now on. Throws when the file cannot be started.</summary>
    public static ChildProcess Start(ProcessLaunch launch)
    {
        StreamWriter? log = null;
        string? logFile = null;
        if (launch.LogDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            logFile = Path.Combine(dir, launch.Name + ".log");
            log = new StreamWriter(logFile, launch.AppendLog) { AutoFlush = true };
        }
        try
        {
            var process = Process.Start(launch.StartInfo(redirectInput: false)) ?? throw new InvalidOperationException($"{launch.Name} did not start.");
            return new ChildProcess(launch, process, log) { LogFile = logFile };
        }
        catch (Exception e)
        {
            log?.Dispose();
            if (e is Win32Exception) throw new InvalidOperationException($"Cannot start {launch.Name} ({launch.File}): {e.Message}", e);
            throw;
        }
    }

    /// <summary>
    /// Starts the process and waits until <paramref name="ready"/> holds; if it exits first, the
    /// deadline passes or <paramref name="ct"/> is cancelled, the process is stopped and the start throws.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(ProcessLaunch launch, Func<Task<bool>> ready, TimeSpan within, string what, CancellationToken ct = default)
    {
        var process = Start(launch);
        try
        {
            await process.WaitUntilReadyAsync(ready, within, what, ct);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Polls <paramref name="ready"/> until it holds. Throws InvalidOperationException (with the
    /// output's tail) if the process exits first, TimeoutException at the deadline, and
    /// OperationCanceledException when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task WaitUntilReadyAsync(Func<Task<bool>> ready, TimeSpan within, string what, CancellationToken ct = default)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(5)); // its last lines, which say why
                throw new InvalidOperationException(ExitedMessage());
            }
            ct.ThrowIfCancellationRequested();
            if (await ready()) return;
            if (deadline.Elapsed > within)
                throw new TimeoutException($"Timed out after {within.TotalSeconds:0.#} s waiting for: {what}" + (LogFile is null ? "" : $"; see {LogFile}"));
            await Task.Delay(Poll, CancellationToken.None);
        }
    }

    /// <summary>Ready when something accepts connections on the port.</summary>
    public static Func<Task<bool>> Listening(int port, string host = "127.0.0.1") => () => FreePort.IsListeningAsync(port, host);

    /// <summary>Ready when a GET of the address answers 2xx (each try at most 2 s).</summary>
    public static Func<Task<bool>> AnswersOk(Uri address) => async () =>
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(address);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    };

    /// <summary>Sends the signal; a process already gone is left alone.</summary>
    public void Signal(Signal signal)
    {
        if (!HasExited) Signals.Send(Pid, signal);
    }

    /// <summary>Sends a signal by the name `kill -NAME` takes (KILL, TERM, INT, STOP, CONT).</summary>
    public void Signal(string name) => Signal(Signals.Parse(name));

    /// <summary>Waits, at most <paramref name="deadline"/>, for the process to exit and its output to be read; true when it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    /// <summary>Sends the signal and waits up to <paramref name="grace"/>; then kills the tree. Returns the exit code.</summary>
    public async Task<int> StopAsync(Signal signal, TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            if (signal != Processes.Signal.Kill) Signal(Processes.Signal.Cont); // a stopped process handles nothing else
            Signal(signal);
            if (!await WaitForExitAsync(grace)) await KillTreeAsync();
        }
        await WaitForExitAsync(TimeSpan.FromSeconds(10)); // the last lines of output
        return _process.ExitCode;
    }

    /// <summary>Kills the process and everything it started, and waits (bounded) until it is gone.</summary>
    public async Task KillTreeAsync()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* exited meanwhile */ }
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops it as the launch says (<see cref="ProcessLaunch.StopSignal"/>), then closes its log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                if (_launch.StopSignal == Processes.Signal.Kill) await KillTreeAsync();
                else await StopAsync(_launch.StopSignal, _launch.StopGrace);
            }
        }
        finally
        {
            try { _exitCode = _process.HasExited ? _process.ExitCode : -1; }
            catch (InvalidOperationException) { _exitCode = -1; }
            _process.Dispose();
            lock (_lock)
            {
                _log?.Dispose();
                _closed = true;
            }
        }
    }

    private bool _closed;

    private void Take(string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            if (!_closed) _log?.WriteLine(line);
            _tail.Enqueue(line);
            while (_tail.Count > _launch.TailLines) _tail.Dequeue();
        }
    }

    private string ExitedMessage()
    {
        var lines = Lines;
        return $"{Name} exited with code {_process.ExitCode}" + (LogFile is null ? "" : $"; see {LogFile}") +
               (lines.Count == 0 ? "." : ":\n" + string.Join('\n', lines.TakeLast(200)));
    }

    /// <summary>
    /// Runs a command to its end and returns its exit code and output (stdout and stderr apart);
    /// at the deadline its tree is killed and this throws TimeoutException.
    /// </summary>
    /// <param name="stdin">Written to its standard input, which is then closed.</param>
    public static async Task<CommandResult> RunAsync(ProcessLaunch launch, TimeSpan timeout, string? stdin = null)
    {
        Process process;
        try { process = Process.Start(launch.StartInfo(redirectInput: stdin is not null)) ?? throw new InvalidOperationException($"{launch.Name} did not start."); }
        catch (Win32Exception e) { throw new InvalidOperationException($"Cannot start {launch.Name} ({launch.File}): {e.Message}", e); }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            using var deadline = new CancellationTokenSource(timeout);
            try { await process.WaitForExitAsync(deadline.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{launch.CommandLine} did not finish in {timeout.TotalSeconds:0} s");
            }
            return new CommandResult(process.ExitCode, await output, await error);
        }
    }
}
