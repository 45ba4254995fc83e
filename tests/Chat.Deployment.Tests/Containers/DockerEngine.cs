namespace Chat.Deployment.Tests.Containers;

/// <summary>
/// A dockerd of the test's own, beside whatever else runs on the machine: its own socket, exec root
/// and pidfile in a temporary folder, no iptables rules and no bridge (containers use the host's
/// network), so it changes nothing on the machine. Its data root is kept between runs on one
/// machine (/var/tmp), so that the stand-ins' and images' layers, the NuGet restore and npm ci
/// included, are built once; a fresh machine starts from nothing.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    public const string DataRoot = "/var/tmp/chat-container-tests/docker";

    /// <summary>Why the container tests cannot run here (null: they can).</summary>
    public static string? SkipReason { get; } = FindSkipReason();

    private readonly string _execRoot;
    private readonly ChildProcess _daemon;

    private DockerEngine(string execRoot, ChildProcess daemon)
    {
        _execRoot = execRoot;
        _daemon = daemon;
    }

    /// <summary>DOCKER_HOST for the docker CLI and the scripts.</summary>
    public string Host => $"unix://{_execRoot}/docker.sock";

    private string Log => Path.Combine(_execRoot, "dockerd.log");

    public static async Task<DockerEngine> StartAsync()
    {
        Directory.CreateDirectory(DataRoot);
        var execRoot = Directory.CreateTempSubdirectory("chat-dockerd-").FullName;
        // Its output goes to a file through the shell, not through a pipe of ours: containerd and
        // its shims would inherit such a pipe and could hold it open after dockerd has exited.
        var launch = new ProcessLaunch("dockerd", "bash",
        [
            "-c", "exec dockerd --data-root \"$1\" --exec-root \"$2\" --pidfile \"$2/dockerd.pid\" -H \"unix://$2/docker.sock\" " +
                  "--iptables=false --ip-masq=false --bridge=none >\"$2/dockerd.log\" 2>&1",
            "dockerd", DataRoot, execRoot,
        ])
        {
            StopSignal = Signal.Term,
            StopGrace = TimeSpan.FromSeconds(30),
        };
        var daemon = ChildProcess.Start(launch);
        var engine = new DockerEngine(execRoot, daemon);
        try
        {
            await daemon.WaitUntilReadyAsync(async () => (await engine.TryRunAsync("version")).ExitCode == 0,
                TimeSpan.FromSeconds(60), "dockerd answers on its socket");
        }
        catch (Exception e)
        {
            var log = File.Exists(engine.Log) ? string.Join('\n', File.ReadLines(engine.Log).TakeLast(20)) : "";
            await engine.DisposeAsync();
            throw new InvalidOperationException($"dockerd did not start: {e.Message}\n{log}", e);
        }
        return engine;
    }

    /// <summary>Runs the docker CLI against this engine; throws with its output when it fails.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        var result = await TryRunAsync(arguments);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Error}{result.Output}");
        return result.Output.Trim();
    }

    public Task<CommandResult> TryRunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(new ProcessLaunch("docker", "docker", arguments) { Environment = DockerHost }, TimeSpan.FromMinutes(2));

    private Dictionary<string, string?> DockerHost => new() { ["DOCKER_HOST"] = Host };

    /// <summary>Runs one of the repository's scripts against this engine (image builds take minutes on a cold machine).</summary>
    public async Task RunScriptAsync(string script, params string[] arguments)
    {
        var result = await ChildProcess.RunAsync(new ProcessLaunch(script, Path.Combine(RepoPaths.Root, script), arguments) { Environment = DockerHost }, TimeSpan.FromMinutes(20));
        if (result.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({result.ExitCode}):\n{result.Error}\n{result.Output}");
    }

    /// <summary>Removes every container of this engine, then stops it (images stay in the data root).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_daemon.HasExited)
        {
            var all = await TryRunAsync("ps", "-aq");
            var ids = all.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0) await TryRunAsync(["rm", "-f", .. ids]);
        }
        await _daemon.DisposeAsync(); // SIGTERM, 30 s to stop, then its tree is killed
        // dockerd leaves its network namespace mounted in the exec root.
        foreach (var mount in File.ReadLines("/proc/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_execRoot + "/", StringComparison.Ordinal)).Reverse())
            await ChildProcess.RunAsync(new ProcessLaunch("umount", "umount", [mount]), TimeSpan.FromSeconds(10));
        try { Directory.Delete(_execRoot, recursive: true); }
        catch (IOException) { } // a mount left behind by a daemon that died: the OS cleans /tmp
        catch (UnauthorizedAccessException) { }
    }

    private static string? FindSkipReason()
    {
        if (!OperatingSystem.IsLinux()) return "Container tests need Linux.";
        if (Environment.UserName != "root")
            return "Container tests skipped: they start their own dockerd and debootstrap, which need root (CI runs test.sh as root).";
        foreach (var tool in new[] { "dockerd", "docker", "debootstrap" })
            if (!OnPath(tool))
                return $"Container tests skipped: '{tool}' is not installed (test.sh installs Debian's docker.io and debootstrap when run as root).";
        return null;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));
}
