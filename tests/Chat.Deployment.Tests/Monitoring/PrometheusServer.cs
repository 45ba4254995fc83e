using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Chat.Deployment.Tests.Monitoring;

/// <summary>
/// A real Prometheus (Debian's package, which test.sh installs) on a free loopback port with a data
/// directory of its own, asked through its HTTP API as an operator's tools would.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts Prometheus with the given configuration (YAML), files beside it, and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string configuration, IReadOnlyDictionary<string, string> files)
    {
        var directory = Directory.CreateTempSubdirectory("chat-prometheus-").FullName;
        foreach (var (name, content) in files) await File.WriteAllTextAsync(Path.Combine(directory, name), content);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(Tools.Prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var server = new PrometheusServer(Tools.Start(start), directory, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await Eventually.True(async () =>
            {
                if (server._process.HasExited) throw new InvalidOperationException($"prometheus exited with {server._process.ExitCode}:\n{server.Log}");
                try { return (await server._http.GetAsync("/-/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30), $"Prometheus ready on port {port}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>An instant query: each series' labels and value.</summary>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql)
    {
        var data = await GetDataAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        return data.GetProperty("result").EnumerateArray().Select(r => new Sample(
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The single value of a query that aggregates to one series; null when it has none.</summary>
    public async Task<double?> ScalarAsync(string promql) =>
        (await QueryAsync(promql)) switch
        {
            [] => null,
            [var one] => one.Value,
            var many => throw new InvalidOperationException($"{promql} gave {many.Count} series"),
        };

    /// <summary>Every metric name Prometheus has stored.</summary>
    public async Task<IReadOnlySet<string>> MetricNamesAsync() =>
        (await GetDataAsync("/api/v1/label/__name__/values")).EnumerateArray().Select(n => n.GetString()!).ToHashSet();

    /// <summary>The API's data member of a GET (targets, rules, alerts, ...).</summary>
    public async Task<JsonElement> GetDataAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(pathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {pathAndQuery}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Artifacts, "prometheus.log"), Log);
        _process.Dispose();
        _http.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* a leftover temp directory is harmless */ }
    }

    public sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);
}

/// <summary>prometheus and promtool from Debian's prometheus package.</summary>
public static class Tools
{
    public const string Prometheus = "prometheus";
    public const string Promtool = "promtool";

    public static Process Start(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"{start.FileName} is not installed or not on PATH; these tests need Debian's prometheus package (prometheus and promtool 2.42; ./test.sh installs it). {ex.Message}", ex);
        }
    }

    /// <summary>Runs promtool with the arguments in the directory; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Promtool, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Start(start);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
