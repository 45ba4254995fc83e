namespace Chat.Integration.Tests;

/// <summary>
/// A multi-process cluster on loopback: separate Chat.Silo processes and Chat.Web nodes in Client
/// topology, a fresh ClusterId, fast failure detection and a fast relay refresh.
/// </summary>
public sealed class ClusterProcesses : IAsyncDisposable
{
    public static readonly Dictionary<string, string> FastSettings = new()
    {
        // Readers of a thread whose grain moved get the gap within a second or two.
        ["Chat__Relay__RefreshPeriod"] = "00:00:01",
        ["Chat__Threads__SubscriptionExpiry"] = "00:00:05",
    };

    private readonly Dictionary<string, string> _settings;

    private ClusterProcesses(AzuriteServer azurite, string clusterId, IDictionary<string, string>? settings)
    {
        Azurite = azurite;
        ClusterId = clusterId;
        _settings = new Dictionary<string, string>(FastSettings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) _settings[key] = value;
    }

    public AzuriteServer Azurite { get; }
    public string ClusterId { get; }
    public List<HostProcess> Silos { get; } = [];
    public List<HostProcess> Webs { get; } = [];
    public Uri[] WebAddresses => Webs.Select(w => w.BaseAddress).ToArray();

    /// <param name="settings">Environment for every process, over FastSettings (and the fast failure detection HostProcess sets).</param>
    /// <param name="sourceRoot">The tree whose build to run (another release's, <see cref="ReleaseBuild"/>); the repository's own by default.</param>
    public static async Task<ClusterProcesses> StartAsync(AzuriteServer azurite, int silos, int webs, IDictionary<string, string>? settings = null, string? sourceRoot = null)
    {
        var cluster = new ClusterProcesses(azurite, "it-" + Guid.NewGuid().ToString("N")[..12], settings);
        try
        {
            cluster.Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => cluster.StartSiloAsync(sourceRoot))));
            cluster.Webs.AddRange(await Task.WhenAll(Enumerable.Range(0, webs).Select(_ => cluster.StartWebAsync(sourceRoot))));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public Task<HostProcess> StartSiloAsync(string? sourceRoot = null) => HostProcess.StartSiloAsync(Azurite.ConnectionString, ClusterId, _settings, sourceRoot);

    /// <param name="port">The HTTP port; a free one by default.</param>
    public Task<HostProcess> StartWebAsync(string? sourceRoot = null, int port = 0) =>
        HostProcess.StartWebClientAsync(Azurite.ConnectionString, ClusterId, _settings, sourceRoot, port);

    /// <summary>
    /// One step of a rolling update: SIGTERM to the host (it must exit cleanly), then its replacement
    /// from the given tree, waited on until ready; a web node's at the same address, as behind a
    /// Service, so that pages and clients that knew the old one reconnect to the new one.
    /// </summary>
    public async Task ReplaceAsync(HostProcess host, string? sourceRoot)
    {
        var (list, index) = Silos.IndexOf(host) is >= 0 and var s ? (Silos, s) : (Webs, Webs.IndexOf(host));
        if (index < 0) throw new ArgumentException("Not a host of this cluster.", nameof(host));
        var exitCode = await host.StopGracefullyAsync();
        if (exitCode != 0) throw new InvalidOperationException($"{host.BaseAddress} exited with {exitCode} on SIGTERM:\n{host.Log}");
        await host.DisposeAsync();
        list[index] = list == Silos ? await StartSiloAsync(sourceRoot) : await StartWebAsync(sourceRoot, host.BaseAddress.Port);
    }

    /// <summary>The silo whose thread grain has stored comments (the only one that flushed any).</summary>
    public async Task<HostProcess> HostOfThreadAsync()
    {
        foreach (var silo in Silos)
            if (await PrometheusScrape.SumAsync(silo.BaseAddress, "chat_flushes_total") > 0) return silo;
        throw new InvalidOperationException("No silo has flushed a comment yet.");
    }

    /// <summary>Sums a counter over the given hosts' /metrics (hosts that died are skipped).</summary>
    public static async Task<double> SumAsync(IEnumerable<HostProcess> hosts, string metric)
    {
        double sum = 0;
        foreach (var host in hosts.Where(h => !h.HasExited)) sum += await PrometheusScrape.SumAsync(host.BaseAddress, metric);
        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Webs.Concat(Silos)) await host.DisposeAsync();
    }
}
