using Chat.Processes;

namespace Chat.TestSupport;

/// <summary>
/// Chat.Web or Chat.Silo as a real OS process (the built output under src/), on free loopback
/// ports. Output goes to a log under artifacts/test-results for when a test fails.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private HostProcess(ChildProcess process, Uri baseAddress, int siloPort)
    {
        _process = process;
        BaseAddress = baseAddress;
        SiloPort = siloPort;
    }

    /// <summary>HTTP address: the site for a web node, health and metrics for a silo.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The silo port (0 for a web node in Client topology).</summary>
    public int SiloPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>All it wrote so far (stdout and stderr).</summary>
    public string Log => _process.Output;

    /// <summary>The configuration the tests were built in, and so the hosts they start ("Release" or "Debug").</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    /// <summary>Chat.Web co-hosting a silo (the default topology), in a cluster of its own unless given one.</summary>
    public static Task<HostProcess> StartWebAsync(string storageConnectionString, string? clusterId = null, IDictionary<string, string>? settings = null) =>
        StartAsync("Chat.Web", storageConnectionString, clusterId, withSilo: true, settings);

    /// <summary>Chat.Web as an Orleans client of the silos of the given cluster.</summary>
    /// <param name="sourceRoot">The tree whose build to run (another release's); the repository's own by default.</param>
    /// <param name="port">The HTTP port (a replacement at the address of the node it replaces, as behind a Service); a free one by default.</param>
    public static Task<HostProcess> StartWebClientAsync(string storageConnectionString, string clusterId, IDictionary<string, string>? settings = null, string? sourceRoot = null, int port = 0) =>
        StartAsync("Chat.Web", storageConnectionString, clusterId, withSilo: false,
            new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Chat__Topology"] = "Client" }, sourceRoot, port);

    /// <param name="sourceRoot">The tree whose build to run (another release's); the repository's own by default.</param>
    public static Task<HostProcess> StartSiloAsync(string storageConnectionString, string clusterId, IDictionary<string, string>? settings = null, string? sourceRoot = null) =>
        StartAsync("Chat.Silo", storageConnectionString, clusterId, withSilo: true, settings, sourceRoot);

    private static async Task<HostProcess> StartAsync(string project, string storageConnectionString, string? clusterId, bool withSilo, IDictionary<string, string>? settings, string? sourceRoot = null, int port = 0)
    {
        var projectDir = Path.Combine(sourceRoot ?? RepoPaths.Root, "src", project);
        var dll = Path.Combine(projectDir, "bin", Configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        if (port == 0) port = FreePort.Next();
        var siloPort = withSilo ? FreePort.Next() : 0;
        var env = new Dictionary<string, string?>
        {
            ["Chat__Storage__ConnectionString"] = storageConnectionString,
            ["Chat__Cluster__ClusterId"] = clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..12],
        };
        if (withSilo)
        {
            env["Chat__Silo__SiloPort"] = siloPort.ToString();
            env["Chat__Silo__GatewayPort"] = FreePort.Next().ToString();
        }
        foreach (var (key, value) in TestSettings.Defaults) env[key.Replace(":", "__")] = value;
        // Fast failure detection, so that tests of crashes take seconds, not the default ~15 s.
        env["Chat__Membership__ProbeTimeout"] = "00:00:01";
        env["Chat__Membership__NumMissedProbesLimit"] = "2";
        env["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        var launch = new ProcessLaunch($"{project}-{port}", "dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = projectDir,
            Environment = env,
            LogDirectory = RepoPaths.Artifacts,
            TailLines = int.MaxValue, // tests count lines in the whole log
        };
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var process = await ChildProcess.StartAsync(launch, ChildProcess.AnswersOk(new Uri(baseAddress, "/health/ready")),
            TimeSpan.FromSeconds(120), $"{project} ready on port {port}");
        return new HostProcess(process, baseAddress, siloPort);
    }

    /// <summary>
    /// SIGTERM, as Kubernetes or Ctrl-C stops a process, and wait for it to exit: up to 45 s, the web
    /// pods' grace period, past the host's own shutdown timeout (30 s), so that a host which used all
    /// of it is seen exiting, not timed out (tests that care how long it took measure it).
    /// </summary>
    public async Task<int> StopGracefullyAsync()
    {
        _process.Signal(Signal.Term);
        if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(45)))
            throw new TimeoutException($"{_process.Name} did not exit within 45 s of SIGTERM. Its log:\n{Log}");
        return _process.ExitCode!.Value;
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Signal(Signal.Kill);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGSTOP: the process hangs with its sockets open, as a silo on a machine that froze or fell off the network (no connection is refused; calls just get no answer).</summary>
    public void Freeze() => _process.Signal(Signal.Stop);

    /// <summary>Kills its process tree if it still runs; its log stays in artifacts/test-results.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
