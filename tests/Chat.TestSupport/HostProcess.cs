using System.Diagnostics;
using System.Text;

namespace Chat.TestSupport;

/// <summary>
/// Chat.Web or Chat.Silo as a real OS process (the built output under src/), on free loopback
/// ports. Output goes to a log under artifacts/test-results for when a test fails.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _name;

    private HostProcess(Process process, string name, Uri baseAddress, int siloPort)
    {
        _process = process;
        _name = name;
        BaseAddress = baseAddress;
        SiloPort = siloPort;
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>HTTP address: the site for a web node, health and metrics for a silo.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The silo port (0 for a web node in Client topology).</summary>
    public int SiloPort { get; }

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

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
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = projectDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Chat__Storage__ConnectionString"] = storageConnectionString;
        start.Environment["Chat__Cluster__ClusterId"] = clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..12];
        if (withSilo)
        {
            start.Environment["Chat__Silo__SiloPort"] = siloPort.ToString();
            start.Environment["Chat__Silo__GatewayPort"] = FreePort.Next().ToString();
        }
        foreach (var (key, value) in TestSettings.Defaults) start.Environment[key.Replace(":", "__")] = value;
        // Fast failure detection, so that tests of crashes take seconds, not the default ~15 s.
        start.Environment["Chat__Membership__ProbeTimeout"] = "00:00:01";
        start.Environment["Chat__Membership__NumMissedProbesLimit"] = "2";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var host = new HostProcess(Process.Start(start)!, $"{project}-{port}", new Uri($"http://127.0.0.1:{port}"), siloPort);
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.True(async () =>
            {
                if (host.HasExited) throw new InvalidOperationException($"{project} exited with {host._process.ExitCode}:\n{host.Log}");
                try { return (await http.GetAsync("/health/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) { return false; }
            }, TimeSpan.FromSeconds(120), $"{project} ready on port {port}");
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>
    /// SIGTERM, as Kubernetes or Ctrl-C stops a process, and wait for it to exit: up to 45 s, the web
    /// pods' grace period, past the host's own shutdown timeout (30 s), so that a host which used all
    /// of it is seen exiting, not timed out (tests that care how long it took measure it).
    /// </summary>
    public async Task<int> StopGracefullyAsync()
    {
        ProcessSignals.Terminate(_process);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{_name} did not exit within 45 s of SIGTERM. Its log:\n{Log}"); }
        return _process.ExitCode;
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        ProcessSignals.KillHard(_process);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: the process hangs with its sockets open, as a silo on a machine that froze or fell off the network (no connection is refused; calls just get no answer).</summary>
    public void Freeze() => ProcessSignals.Stop(_process);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Artifacts, $"{_name}.log"), Log);
        _process.Dispose();
    }
}
