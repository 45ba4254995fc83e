using Chat.Processes;

namespace Chat.LoadTests;

/// <summary>A server process this tool started on loopback (baseline node, redis-server, Azurite, the product).</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ServerProcess(ChildProcess process, int port, string host)
    {
        _process = process;
        Port = port;
        Host = host;
    }

    public string Name => _process.Name;
    public int Port { get; }
    /// <summary>The address it is reached at: loopback, or its network namespace's address (chaos).</summary>
    public string Host { get; }
    public int Pid => _process.Pid;
    public Uri Url => new($"http://{Host}:{Port}");
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.ExitCode;

    /// <param name="host">Where it listens (loopback unless it runs in a network namespace of its own).</param>
    /// <param name="appendLog">Append to its log (a restarted process keeps one log).</param>
    /// <param name="stopSignal">What disposing it sends first (then 10 s to exit, then SIGKILL): SIGTERM; SIGINT for Azurite.</param>
    /// <param name="ct">Cancelled: the process is stopped and the start throws (nothing is left running).</param>
    public static async Task<ServerProcess> StartAsync(string name, string file, string args, int port, string logDir,
        string? workDir = null, IDictionary<string, string>? env = null, string? readyPath = null, TimeSpan? timeout = null,
        string host = "127.0.0.1", bool appendLog = false, Signal stopSignal = Signal.Term, CancellationToken ct = default)
    {
        var environment = new Dictionary<string, string?>
        {
            // The generator's own socket setting (LoadTool.InlineSocketCompletions) is not for the servers it starts.
            [LoadTool.InlineCompletionsVariable] = null,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) environment[k] = v;
        var launch = new ProcessLaunch(name, file, args)
        {
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
            Environment = environment,
            LogDirectory = logDir,
            AppendLog = appendLog,
            StopSignal = stopSignal,
            StopGrace = TimeSpan.FromSeconds(10),
        };
        var ready = readyPath is null ? ChildProcess.Listening(port, host) : ChildProcess.AnswersOk(new Uri($"http://{host}:{port}{readyPath}"));
        var process = await ChildProcess.StartAsync(launch, ready, timeout ?? TimeSpan.FromSeconds(60), $"{name} ready on port {port}", ct);
        return new ServerProcess(process, port, host);
    }

    /// <summary>Sends a signal by name (KILL, TERM, STOP, CONT); a process already gone is left alone.</summary>
    public Task SignalAsync(string signal)
    {
        _process.Signal(signal);
        return Task.CompletedTask;
    }

    /// <summary>Waits until the process has exited, at most `timeout` (then it is killed).</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        if (!await _process.WaitForExitAsync(timeout)) await _process.KillTreeAsync();
    }

    /// <summary>SIGCONT and its stop signal (SIGTERM; SIGINT for Azurite), then SIGKILL to its tree after 10 s.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>A free port on loopback (see <see cref="Processes.FreePort.Next"/>).</summary>
    public static int FreePort() => Processes.FreePort.Next();

    public static Task<bool> IsListeningAsync(int port, string host = "127.0.0.1") => Processes.FreePort.IsListeningAsync(port, host);
}

/// <summary>Where things are: the repository (for Azurite and the built Chat.Baseline / Chat.Web).</summary>
public static class Paths
{
    public static string RepoRoot
    {
        get
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) return dir.FullName;
            throw new InvalidOperationException("Cluster.sln not found above the current folder: run from the repository.");
        }
    }

    /// <summary>Debug or Release: whatever this tool was built as (bin/CONFIG/net10.0).</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "Release";

    /// <summary>The built dll of a project under the repo (this tool's configuration first, then the other).</summary>
    public static string BuiltDll(string projectDir, string name)
    {
        foreach (var config in new[] { Configuration, "Release", "Debug" })
        {
            var path = Path.Combine(RepoRoot, projectDir, "bin", config, "net10.0", name + ".dll");
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException($"{name}.dll is not built: run `dotnet build -c Release {projectDir}` first.");
    }

    public static string RedisServer =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not installed: `apt-get install -y redis-server` (Debian package), needed for the Redis baseline.");
}

/// <summary>The servers one command started: stopped together, the last started first.</summary>
public sealed class ServerSet : IAsyncDisposable
{
    private readonly List<ServerProcess> _servers = [];

    public async Task<ServerProcess> Add(Task<ServerProcess> start)
    {
        var server = await start;
        _servers.Add(server);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers)) await server.DisposeAsync();
    }
}

/// <summary>Starts the servers a comparison needs.</summary>
public static class Targets
{
    /// <param name="env">The GC mode (--gc: DOTNET_gcServer), the same the product gets; workstation GC when not given.</param>
    public static Task<ServerProcess> BaselineAsync(string name, string logDir, string? redis = null, IReadOnlyDictionary<string, string>? env = null)
    {
        var port = ServerProcess.FreePort();
        var dll = Paths.BuiltDll("load-tests/Chat.Baseline", "Chat.Baseline");
        var args = $"\"{dll}\" --urls http://127.0.0.1:{port}" + (redis is null ? "" : $" --redis {redis}");
        return ServerProcess.StartAsync(name, "dotnet", args, port, logDir, readyPath: "/health/ready",
            env: new Dictionary<string, string>(env ?? new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" }));
    }

    public static Task<ServerProcess> RedisAsync(string logDir)
    {
        var port = ServerProcess.FreePort();
        return ServerProcess.StartAsync("redis", Paths.RedisServer, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no", port, logDir);
    }

    public static Task<ServerProcess> AzuriteAsync(string logDir)
    {
        var port = ServerProcess.FreePort();
        return ServerProcess.StartAsync("azurite", AzuriteBin, AzuriteArgs("127.0.0.1", port), port, logDir, stopSignal: Signal.Int);
    }

    public static string AzuriteBin => Azurite.Bin(Paths.RepoRoot);

    /// <summary>In memory: nothing to clean up, and a run starts empty.</summary>
    public static string AzuriteArgs(string host, int port) => string.Join(' ', Azurite.Arguments(host, port));

    public static string AzuriteConnectionString(int port, string host = "127.0.0.1") => Azurite.ConnectionString(port, host);

    /// <summary>The product as run.sh runs it (Chat.Web co-hosting a silo), against the given Azurite.</summary>
    /// <param name="openFiles">Open files (connections) it must be able to hold; above this machine's hard limit it is started through prlimit, which needs root.</param>
    /// <param name="extraEnv">More environment for the product (--product-env): a setting to measure against the defaults.</param>
    public static Task<ServerProcess> ProductAsync(string logDir, int azuritePort, int? openFiles = null, IReadOnlyDictionary<string, string>? extraEnv = null)
    {
        var port = ServerProcess.FreePort();
        var dll = Paths.BuiltDll("src/Chat.Web", "Chat.Web");
        var (file, args) = ("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port}");
        if (openFiles is int files && files > FileLimit.Hard)
        {
            if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root")
                throw new UsageException($"The product must hold {files} open files, above this machine's limit of {FileLimit.Hard}: run as root (it is then started through prlimit), or ask for fewer connections.");
            (file, args) = ("prlimit", $"--nofile={files}:{files} dotnet {args}");
        }
        return ServerProcess.StartAsync("product", file, args, port, logDir,
            workDir: Path.Combine(Paths.RepoRoot, "src", "Chat.Web"), readyPath: "/health/ready", timeout: TimeSpan.FromSeconds(120),
            env: new Dictionary<string, string>
            {
                ["Chat__Storage__ConnectionString"] = AzuriteConnectionString(azuritePort),
                ["Chat__Cluster__ClusterId"] = "load-" + Guid.NewGuid().ToString("N")[..8],
                ["Chat__Silo__SiloPort"] = ServerProcess.FreePort().ToString(),
                ["Chat__Silo__GatewayPort"] = ServerProcess.FreePort().ToString(),
                ["Chat__SeedDemo"] = "false",
                // The load generator's posters and readers all come from 127.0.0.1 and post far
                // faster than people: lift the abuse limits meant for people (see LoadLimits).
            }.Concat(LoadLimits).Concat(extraEnv ?? new Dictionary<string, string>()).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value)); // the last value of a key wins: --product-env overrides
    }

    /// <summary>--product-env KEY=VALUE[,KEY=VALUE…]: environment for the product that this tool starts (e.g. DOTNET_gcServer=0).</summary>
    public static IReadOnlyDictionary<string, string> ProductEnv(Options o)
    {
        var env = new Dictionary<string, string>();
        foreach (var pair in (o.String("product-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--product-env takes KEY=VALUE pairs separated by commas, not '{pair}'.");
            env[pair[..eq]] = pair[(eq + 1)..];
        }
        return env;
    }

    /// <summary>
    /// --gc server|workstation (default server): the GC mode of every server a comparison starts, the
    /// baselines and the product alike (DOTNET_gcServer), so that neither side wins by its GC.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Gc(Options o)
    {
        var gc = o.String("gc", "server")!;
        if (gc is not ("server" or "workstation")) throw new UsageException("--gc must be server or workstation.");
        return new Dictionary<string, string> { ["DOTNET_gcServer"] = gc == "server" ? "1" : "0" };
    }

    /// <summary>Abuse limits lifted for load tests; also what to export before ./run.sh for a manual run.</summary>
    public static readonly IReadOnlyDictionary<string, string> LoadLimits = new Dictionary<string, string>
    {
        ["Chat__Limits__PostsPerSecondPerUser"] = "100000",
        ["Chat__Limits__PostBurstPerUser"] = "100000",
        ["Chat__Limits__HubInvocationsPerSecond"] = "100000",
        ["Chat__Limits__HubInvocationBurst"] = "100000",
        ["Chat__Limits__AuthRequestsPerIpPerMinute"] = "100000",
        ["Chat__Limits__ConnectionsPerIp"] = "100000",
    };
}
