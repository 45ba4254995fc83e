using System.Diagnostics;
using System.Text;

namespace Chat.TestSupport;

/// <summary>
/// Chat.Web as a real OS process (co-hosting a silo), built output of src/Chat.Web, on a free
/// loopback port. Output goes to a log under artifacts/test-results for when a test fails.
/// </summary>
public sealed class WebNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private WebNodeProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }
    public bool HasExited => _process.HasExited;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static async Task<WebNodeProcess> StartAsync(string storageConnectionString, string? clusterId = null, IDictionary<string, string>? settings = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).FullName.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var projectDir = Path.Combine(RepoPaths.Root, "src", "Chat.Web");
        var dll = Path.Combine(projectDir, "bin", configuration, "net10.0", "Chat.Web.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = projectDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Chat__Storage__ConnectionString"] = storageConnectionString;
        start.Environment["Chat__Silo__ClusterId"] = clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..12];
        start.Environment["Chat__Silo__SiloPort"] = FreePort.Next().ToString();
        start.Environment["Chat__Silo__GatewayPort"] = FreePort.Next().ToString();
        start.Environment["Chat__SeedDemo"] = "false";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var node = new WebNodeProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.True(async () =>
            {
                if (node.HasExited) throw new InvalidOperationException($"Chat.Web exited with {node._process.ExitCode}:\n{node.Log}");
                try { return (await http.GetAsync("/health/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) { return false; }
            }, TimeSpan.FromSeconds(60), $"Chat.Web ready on port {port}");
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>SIGTERM, as Kubernetes or Ctrl-C stops a process, and wait for a clean exit.</summary>
    public async Task<int> StopGracefullyAsync()
    {
        ProcessSignals.Terminate(_process);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        ProcessSignals.KillHard(_process);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        File.WriteAllText(Path.Combine(RepoPaths.Artifacts, $"web-node-{BaseAddress.Port}.log"), Log);
        _process.Dispose();
    }
}
