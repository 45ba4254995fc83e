using System.Globalization;
using Chat.Processes;

namespace Chat.LoadTests.Chaos;

public enum NodeRole { Azurite, Silo, Web }

/// <summary>
/// One process of the chaos cluster and how to start it again with the same name, address and
/// ports (a restarted silo rejoins as a new incarnation on the same endpoint, as a restarted pod would).
/// </summary>
public sealed class ChaosNode(string name, NodeRole role, string host, int port, string? ns, Func<ChaosNode, bool, Task<ServerProcess>> start)
{
    public string Name { get; } = name;
    public NodeRole Role { get; } = role;
    /// <summary>Its address: 127.0.0.1, or its namespace's address on the run's bridge.</summary>
    public string Host { get; } = host;
    /// <summary>HTTP port (the site for a web node, health and /metrics for a silo, the table API for Azurite).</summary>
    public int Port { get; } = port;
    public string? Namespace { get; } = ns;
    public ServerProcess? Process { get; private set; }
    public Uri Url => new($"http://{Host}:{Port}");
    public bool IsUp => Process is { HasExited: false };

    public async Task StartAsync(bool again = false) => Process = await start(this, again);

    public async Task StopAsync()
    {
        if (Process is { } p) await p.DisposeAsync();
        Process = null;
    }
}

/// <summary>
/// Azurite, N Chat.Silo and M Chat.Web (Client topology) processes on loopback, or each in a network
/// namespace of its own (with a <see cref="NetworkLab"/>), all in one fresh cluster.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    private readonly string _logDir;
    private readonly IReadOnlyDictionary<string, string> _env;
    private readonly string _clusterId = "chaos-" + Guid.NewGuid().ToString("N")[..8];
    // Cancelled when the cluster is disposed: a process still starting (a restart) is stopped, not left behind.
    private readonly CancellationTokenSource _disposing = new();
    private readonly List<Task> _starting = [];

    private ChaosCluster(string logDir, NetworkLab? lab, IReadOnlyDictionary<string, string> env)
    {
        _logDir = logDir;
        Lab = lab;
        _env = env;
    }

    public NetworkLab? Lab { get; }
    public ChaosNode Azurite { get; private set; } = null!;
    public List<ChaosNode> Silos { get; } = [];
    public List<ChaosNode> Webs { get; } = [];
    public IEnumerable<ChaosNode> All => Webs.Concat(Silos).Append(Azurite).Where(n => n is not null);
    public string StorageConnectionString => Targets.AzuriteConnectionString(Azurite.Port, Azurite.Host);

    /// <param name="env">Settings for every silo and web node (membership, relay, limits: the caller's choice).</param>
    public static async Task<ChaosCluster> StartAsync(int silos, int webs, string logDir, NetworkLab? lab, IReadOnlyDictionary<string, string> env, Action<string> progress)
    {
        var cluster = new ChaosCluster(logDir, lab, env);
        try
        {
            cluster.Azurite = await cluster.AddAsync("azurite", NodeRole.Azurite);
            progress($"azurite at {cluster.Azurite.Url}");
            for (var i = 1; i <= silos; i++) cluster.Silos.Add(await cluster.AddAsync($"silo{i}", NodeRole.Silo));
            progress($"{silos} silo(s): {string.Join(", ", cluster.Silos.Select(s => s.Url))}");
            foreach (var node in await Task.WhenAll(Enumerable.Range(1, webs).Select(i => cluster.AddAsync($"web{i}", NodeRole.Web))))
                cluster.Webs.Add(node);
            progress($"{webs} web node(s): {string.Join(", ", cluster.Webs.Select(w => w.Url))}");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>
    /// One silo or web node more while the cluster runs (scaling out): the next name (silo3, web4),
    /// free ports, the same settings; a silo joins through the membership table in Azurite, a web
    /// node finds the silos there.
    /// </summary>
    public async Task<ChaosNode> AddNodeAsync(NodeRole role)
    {
        var list = role == NodeRole.Silo ? Silos : Webs;
        var node = await AddAsync($"{(role == NodeRole.Silo ? "silo" : "web")}{list.Count + 1}", role);
        lock (list) list.Add(node);
        return node;
    }

    /// <summary>
    /// Scaling in: the most recently added node of that role still running gets SIGTERM (its graceful
    /// shutdown, as Kubernetes does) and is waited for, at most `grace` (then SIGKILL). It stays in
    /// <see cref="Silos"/> / <see cref="Webs"/>, not running.
    /// </summary>
    public async Task<ChaosNode> RemoveNodeAsync(NodeRole role, TimeSpan grace)
    {
        var node = Newest(role) ?? throw new InvalidOperationException($"no {role} running to remove");
        await node.Process!.SignalAsync("TERM");
        await node.Process.WaitForExitAsync(grace);
        await node.StopAsync();
        return node;
    }

    /// <summary>The node a removal of that role would stop: the most recently added one still running.</summary>
    public ChaosNode? Newest(NodeRole role) => (role == NodeRole.Silo ? Silos : Webs).LastOrDefault(n => n.IsUp);

    private async Task<ChaosNode> AddAsync(string name, NodeRole role)
    {
        var (ns, host) = Lab is null ? (null, "127.0.0.1") : await Lab.AddHostAsync(name);
        // In a namespace every process has the ports to itself; on loopback they must be free ones.
        int Port(int fixedPort) => Lab is null ? ServerProcess.FreePort() : fixedPort;
        var http = Port(role switch { NodeRole.Azurite => 10002, NodeRole.Silo => 8080, _ => 5000 });
        var siloPort = Port(11111);
        var gatewayPort = Port(30000);
        var node = new ChaosNode(name, role, host, http, ns, (n, again) => role switch
        {
            NodeRole.Azurite => Launch(n, Targets.AzuriteBin, Targets.AzuriteArgs(n.Host, n.Port), null, null, again),
            NodeRole.Silo => Launch(n, "dotnet", $"\"{Paths.BuiltDll("src/Chat.Silo", "Chat.Silo")}\" --urls http://{n.Host}:{n.Port}", "src/Chat.Silo",
                new Dictionary<string, string>
                {
                    ["Chat__Silo__AdvertisedIp"] = n.Host,
                    ["Chat__Silo__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
                    ["Chat__Silo__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
                }, again),
            _ => Launch(n, "dotnet", $"\"{Paths.BuiltDll("src/Chat.Web", "Chat.Web")}\" --urls http://{n.Host}:{n.Port}", "src/Chat.Web",
                new Dictionary<string, string> { ["Chat__Topology"] = "Client" }, again),
        });
        await node.StartAsync();
        return node;
    }

    /// <summary>Every process this cluster started, restarts included (all stopped at the end).</summary>
    public List<int> ProcessIds { get; } = [];

    private async Task<ServerProcess> Launch(ChaosNode node, string file, string args, string? project, Dictionary<string, string>? own, bool again)
    {
        var env = new Dictionary<string, string>();
        if (node.Role != NodeRole.Azurite)
        {
            env["Chat__Storage__ConnectionString"] = StorageConnectionString;
            env["Chat__Cluster__ClusterId"] = _clusterId;
            env["Chat__SeedDemo"] = "false";
            env["DOTNET_gcServer"] = "0"; // several servers share the machine with the generator
            foreach (var (k, v) in Targets.LoadLimits) env[k] = v;
            foreach (var (k, v) in _env) env[k] = v;
            foreach (var (k, v) in own!) env[k] = v;
        }
        if (node.Namespace is { } ns) (file, args) = NetworkLab.InNamespace(ns, file, args);
        var starting = ServerProcess.StartAsync(node.Name, file, args, node.Port, _logDir, workDir: project is null ? null : Path.Combine(Paths.RepoRoot, project),
            env: env, readyPath: node.Role == NodeRole.Azurite ? null : "/health/ready", timeout: TimeSpan.FromSeconds(120), host: node.Host, appendLog: again,
            stopSignal: node.Role == NodeRole.Azurite ? Signal.Int : Signal.Term, ct: _disposing.Token);
        lock (_starting) _starting.Add(starting);
        var process = await starting;
        lock (ProcessIds) ProcessIds.Add(process.Pid);
        return process;
    }

    /// <summary>"silo:thread", "silo:2", "web:1", "azurite".</summary>
    public async Task<ChaosNode> ResolveAsync(string target, string threadId)
    {
        if (target == "azurite") return Azurite;
        if (target == "silo:thread") return await ThreadSiloAsync() ?? Silos.First(s => s.IsUp);
        var parts = target.Split(':');
        var list = parts[0] == "silo" ? Silos : Webs;
        var index = int.Parse(parts[1], CultureInfo.InvariantCulture);
        if (index < 1 || index > list.Count) throw new UsageException($"--schedule: {target} does not exist: the run has {list.Count} {parts[0]}(s).");
        return list[index - 1];
    }

    /// <summary>
    /// The silo whose flush counter (comments stored by the thread grain) grows: the thread's only
    /// writer is its grain, so the silo that flushes is the one hosting it now. Null while nothing flushes.
    /// </summary>
    public async Task<ChaosNode?> ThreadSiloAsync()
    {
        var live = Silos.Where(s => s.IsUp).ToList();
        var before = await Task.WhenAll(live.Select(FlushesAsync));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = await Task.WhenAll(live.Select(FlushesAsync));
        var growing = live.Where((_, i) => after[i] > before[i]).ToList();
        return growing.Count == 1 ? growing[0] : growing.FirstOrDefault();
    }

    private static async Task<long> FlushesAsync(ChaosNode silo) =>
        await ServerMemory.MetricsAsync(silo.Url, CancellationToken.None) is { } text ? ServerMemory.SumOf(text, "chat_flushes_total") ?? 0 : 0;

    /// <summary>Addresses of the processes a partition cuts the thread's silo from.</summary>
    public IEnumerable<string> PeersOf(string partition, ChaosNode silo) => partition switch
    {
        "silo-silo" => Silos.Where(s => s != silo).Select(s => s.Host),
        "web-silo" => Webs.Select(w => w.Host),
        "silo-storage" => [Azurite.Host],
        _ => throw new ArgumentOutOfRangeException(nameof(partition), partition, null),
    };

    public async ValueTask DisposeAsync()
    {
        _disposing.Cancel();
        Task[] starting;
        lock (_starting) starting = [.. _starting];
        await Task.WhenAll(starting.Select(t => t.ContinueWith(_ => { })));
        // Web nodes first (they are clients), then silos, Azurite last; a stopped process is continued first.
        foreach (var node in All.ToList()) await node.StopAsync();
    }
}
