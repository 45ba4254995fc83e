using System.Globalization;
using System.Text.Json;

namespace Chat.Deployment.Tests.Monitoring;

/// <summary>
/// A real Prometheus (Debian's package, which test.sh installs) on a free loopback port with a data
/// directory of its own, asked through its HTTP API as an operator's tools would.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(ChildProcess process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }

    /// <summary>Starts Prometheus with the given configuration (YAML), files beside it, and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string configuration, IReadOnlyDictionary<string, string> files)
    {
        var directory = Directory.CreateTempSubdirectory("chat-prometheus-").FullName;
        foreach (var (name, content) in files) await File.WriteAllTextAsync(Path.Combine(directory, name), content);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration);
        var port = FreePort.Next();
        var launch = new ProcessLaunch("prometheus", Tools.Prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}"])
        {
            WorkingDirectory = directory,
            LogDirectory = RepoPaths.Artifacts,
        };
        var address = new Uri($"http://127.0.0.1:{port}");
        var process = await Tools.StartAsync(launch, ChildProcess.AnswersOk(new Uri(address, "/-/ready")), TimeSpan.FromSeconds(30), $"Prometheus ready on port {port}");
        return new PrometheusServer(process, directory, address);
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
        await _process.DisposeAsync(); // its log stays in artifacts/test-results/prometheus.log
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

    /// <summary>Starts one of them and waits until it is ready; says how to install it when it is missing.</summary>
    public static async Task<ChildProcess> StartAsync(ProcessLaunch launch, Func<Task<bool>> ready, TimeSpan within, string what)
    {
        try
        {
            return await ChildProcess.StartAsync(launch, ready, within, what);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.ComponentModel.Win32Exception)
        {
            throw NotInstalled(launch.File, ex);
        }
    }

    /// <summary>Runs promtool with the arguments in the directory; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(string directory, params string[] arguments)
    {
        try
        {
            var result = await ChildProcess.RunAsync(new ProcessLaunch("promtool", Promtool, arguments) { WorkingDirectory = directory }, TimeSpan.FromSeconds(60));
            return (result.ExitCode, result.Output + result.Error);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.ComponentModel.Win32Exception)
        {
            throw NotInstalled(Promtool, ex);
        }
    }

    private static InvalidOperationException NotInstalled(string tool, Exception ex) => new(
        $"{tool} is not installed or not on PATH; these tests need Debian's prometheus package (prometheus and promtool 2.42; ./test.sh installs it). {ex.InnerException?.Message}", ex);
}
