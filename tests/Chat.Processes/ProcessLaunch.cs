using System.Diagnostics;

namespace Chat.Processes;

/// <summary>
/// What to start and how to stop it: the command, its environment and folder, where its output
/// goes, and what <see cref="ChildProcess.DisposeAsync"/> does to a process still running.
/// </summary>
public sealed record ProcessLaunch
{
    private readonly IReadOnlyList<string>? _argumentList;
    private readonly string? _commandLine;

    /// <param name="name">For messages, and the log file's name when <see cref="LogDirectory"/> is set.</param>
    public ProcessLaunch(string name, string file, IEnumerable<string> arguments)
    {
        Name = name;
        File = file;
        _argumentList = [.. arguments];
    }

    /// <param name="commandLine">The arguments as one string, split as .NET splits a command line (double quotes group).</param>
    public ProcessLaunch(string name, string file, string commandLine)
    {
        Name = name;
        File = file;
        _commandLine = commandLine;
    }

    public string Name { get; init; }
    public string File { get; init; }

    /// <summary>Its working directory (the current one when null).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Set over the inherited environment; a null value removes a variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>When set, stdout and stderr go, as they come, to NAME.log in this folder (created).</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Append to the log instead of starting it afresh (a restarted process keeps one log).</summary>
    public bool AppendLog { get; init; }

    /// <summary>How many of the last output lines to keep in memory (<see cref="ChildProcess.Output"/>); int.MaxValue keeps all.</summary>
    public int TailLines { get; init; } = 1000;

    /// <summary>
    /// What disposing a process that still runs sends it first (after SIGCONT, as a stopped process
    /// handles nothing): SIGKILL of its whole tree at once by default; SIGTERM or SIGINT for one
    /// whose shutdown matters (Azurite's SIGINT flushes its writes), with <see cref="StopGrace"/> to exit.
    /// </summary>
    public Signal StopSignal { get; init; } = Signal.Kill;

    /// <summary>How long a process has to exit after <see cref="StopSignal"/> before its tree is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The command as a person would type it, for messages.</summary>
    public string CommandLine => _commandLine is { } line ? $"{File} {line}" : string.Join(' ', [File, .. _argumentList!]);

    /// <summary>This launch with more environment (later values win).</summary>
    public ProcessLaunch WithEnvironment(IEnumerable<KeyValuePair<string, string?>> more)
    {
        var env = new Dictionary<string, string?>(Environment);
        foreach (var (key, value) in more) env[key] = value;
        return this with { Environment = env };
    }

    internal ProcessStartInfo StartInfo(bool redirectInput)
    {
        var start = _commandLine is { } line ? new ProcessStartInfo(File, line) : new ProcessStartInfo(File, _argumentList!);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = redirectInput;
        if (WorkingDirectory is not null) start.WorkingDirectory = WorkingDirectory;
        foreach (var (key, value) in Environment)
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        return start;
    }
}
