using System.Text.RegularExpressions;
using Chat.Processes;

namespace Chat.LoadTests.Chaos;

/// <summary>
/// A private network for one chaos run (root only): a bridge in the root namespace with an address
/// in a free 10.77.X.0/24, and one network namespace per process joined to it by a veth pair. The
/// generator reaches the processes over the bridge; they reach each other only through it, so
/// nftables rules inside a namespace cut exactly the pairs a partition names and nothing else.
/// Names carry this process's pid ("chaos{pid}-…", "chb{pid}", "chv{pid}…"): what an earlier run
/// whose process is gone left behind is swept at start, and another live run is left alone.
/// </summary>
public sealed partial class NetworkLab : IAsyncDisposable
{
    private const string Table = "chaos_partition";
    private readonly int _pid = Environment.ProcessId;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private readonly Action<string> _log;
    private int _nextHost = 10;

    private NetworkLab(int subnet, Action<string> log) { Subnet = subnet; _log = log; }

    /// <summary>X in 10.77.X.0/24.</summary>
    public int Subnet { get; }
    public string Bridge => $"chb{_pid}";
    public string BridgeIp => $"10.77.{Subnet}.1";

    public static bool IsRoot => Environment.UserName == "root" || (OperatingSystem.IsLinux() && File.Exists("/proc/self/status")
        && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:"))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0");

    /// <summary>Null (with the reason) when partitions cannot be made here: not root, or no `ip`/`nft`.</summary>
    public static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux()) return "network partitions need Linux network namespaces";
        if (!IsRoot) return "network partitions need root (network namespaces and nftables)";
        foreach (var tool in new[] { "ip", "nft" })
            if (!new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Any(d => File.Exists(Path.Combine(d, tool))))
                return $"`{tool}` is not installed (Debian: apt-get install -y {(tool == "ip" ? "iproute2" : "nftables")})";
        return null;
    }

    public static async Task<NetworkLab> CreateAsync(Action<string> log)
    {
        await SweepAsync(log);
        var used = (await RunAsync("ip", "-o -4 addr show", check: false)).Output;
        var subnet = Enumerable.Range(0, 250).Select(i => (Environment.ProcessId + i) % 250 + 1).First(x => !used.Contains($"10.77.{x}."));
        var lab = new NetworkLab(subnet, log);
        try
        {
            await RunAsync("ip", $"link add {lab.Bridge} type bridge");
            lab._links.Add(lab.Bridge);
            await RunAsync("ip", $"addr add {lab.BridgeIp}/24 dev {lab.Bridge}");
            await RunAsync("ip", $"link set {lab.Bridge} up");
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    /// <summary>A namespace for one process, on the bridge; returns its name and address.</summary>
    public async Task<(string Namespace, string Ip)> AddHostAsync(string name)
    {
        var host = _nextHost++;
        var ns = $"chaos{_pid}-{name}";
        var ip = $"10.77.{Subnet}.{host}";
        string outside = $"chv{_pid}a{host}", inside = $"chv{_pid}b{host}";
        await RunAsync("ip", $"netns add {ns}");
        _namespaces.Add(ns);
        await RunAsync("ip", $"link add {outside} type veth peer name {inside}");
        _links.Add(outside);
        await RunAsync("ip", $"link set {inside} netns {ns}");
        await RunAsync("ip", $"link set {outside} master {Bridge} up");
        await RunAsync("ip", $"-n {ns} link set lo up");
        await RunAsync("ip", $"-n {ns} addr add {ip}/24 dev {inside}");
        await RunAsync("ip", $"-n {ns} link set {inside} up");
        return (ns, ip);
    }

    /// <summary>Drops every packet between the namespace's process and the given addresses, both ways (a cut cable: no refusal, no answer).</summary>
    public Task CutAsync(string ns, IEnumerable<string> peers)
    {
        var set = string.Join(", ", peers);
        var rules = $$"""
            table inet {{Table}} {
              chain in { type filter hook input priority 0; policy accept; ip saddr { {{set}} } drop; }
              chain out { type filter hook output priority 0; policy accept; ip daddr { {{set}} } drop; }
            }
            """;
        return RunAsync("ip", $"netns exec {ns} nft -f -", stdin: rules);
    }

    public Task HealAsync(string ns) => RunAsync("ip", $"netns exec {ns} nft delete table inet {Table}", check: false);

    /// <summary>`ip netns exec NS file args`: the process runs in the namespace and keeps its pid.</summary>
    public static (string File, string Args) InNamespace(string ns, string file, string args) => ("ip", $"netns exec {ns} {file} {args}");

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in _namespaces) await RunAsync("ip", $"netns delete {ns}", check: false);
        foreach (var link in _links) await RunAsync("ip", $"link delete {link}", check: false);
        _log($"network: removed {_namespaces.Count} namespace(s), bridge {Bridge} and its links");
    }

    /// <summary>Removes namespaces and links of chaos runs whose process no longer exists.</summary>
    public static async Task SweepAsync(Action<string> log)
    {
        var namespaces = (await RunAsync("ip", "netns list", check: false)).Output;
        foreach (Match m in NamespaceName().Matches(namespaces))
            if (!IsAlive(int.Parse(m.Groups[1].Value)))
            {
                log($"network: removing {m.Value} and the processes in it, left by an earlier chaos run");
                foreach (var pid in (await RunAsync("ip", $"netns pids {m.Value}", check: false)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    await RunAsync("kill", $"-KILL {pid.Trim()}", check: false);
                await RunAsync("ip", $"netns delete {m.Value}", check: false);
            }
        var links = (await RunAsync("ip", "-o link show", check: false)).Output;
        foreach (Match m in LinkName().Matches(links))
            if (!IsAlive(int.Parse(m.Groups[2].Value)))
            {
                log($"network: removing link {m.Groups[1].Value}, left by an earlier chaos run");
                await RunAsync("ip", $"link delete {m.Groups[1].Value}", check: false);
            }
    }

    private static bool IsAlive(int pid) => pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}");

    [GeneratedRegex(@"^chaos(\d+)-[\w-]+", RegexOptions.Multiline)]
    private static partial Regex NamespaceName();

    [GeneratedRegex(@"^\d+: ((?:chb|chv)(\d+)(?:[ab]\d+)?)[@:]", RegexOptions.Multiline)]
    private static partial Regex LinkName();

    private static async Task<(int Code, string Output)> RunAsync(string file, string args, bool check = true, string? stdin = null)
    {
        var result = await ChildProcess.RunAsync(new ProcessLaunch(file, file, args), TimeSpan.FromMinutes(1), stdin);
        if (check && result.ExitCode != 0) throw new InvalidOperationException($"`{file} {args}` failed ({result.ExitCode}): {result.Error.Trim()}");
        return (result.ExitCode, result.Output);
    }
}
