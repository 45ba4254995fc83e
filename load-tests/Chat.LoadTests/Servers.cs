using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Chat.LoadTests;

/// <summary>A server process this tool started on loopback (baseline node, redis-server, Azurite, the product).</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(string name, Process process, StreamWriter log, int port, string host)
    {
        Name = name;
        _process = process;
        _log = log;
        Port = port;
        Host = host;
    }

    public string Name { get; }
    public int Port { get; }
    /// <summary>The address it is reached at: loopback, or its network namespace's address (chaos).</summary>
    public string Host { get; }
    public int Pid => _process.Id;
    public Uri Url => new($"http://{Host}:{Port}");
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <param name="host">Where it listens (loopback unless it runs in a network namespace of its own).</param>
    /// <param name="appendLog">Append to its log (a restarted process keeps one log).</param>
    /// <param name="ct">Cancelled: the process is stopped and the start throws (nothing is left running).</param>
    public static async Task<ServerProcess> StartAsync(string name, string file, string args, int port, string logDir,
        string? workDir = null, IDictionary<string, string>? env = null, string? readyPath = null, TimeSpan? timeout = null,
        string host = "127.0.0.1", bool appendLog = false, CancellationToken ct = default)
    {
        Directory.CreateDirectory(logDir);
        var log = new StreamWriter(Path.Combine(logDir, $"{name}.log"), appendLog) { AutoFlush = true };
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        // The generator's own socket setting (LoadTool.InlineSocketCompletions) is not for the servers it starts.
        psi.Environment.Remove(LoadTool.InlineCompletionsVariable);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException($"{name} did not start."); }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"Cannot start {name} ({file}): {e.Message}"); }
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(name, process, log, port, host);
        var deadline = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with code {process.ExitCode}; see {Path.Combine(logDir, name + ".log")}.");
            if (ct.IsCancellationRequested)
            {
                await server.DisposeAsync();
                throw new OperationCanceledException($"{name}: start cancelled", ct);
            }
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                await server.DisposeAsync();
                throw new TimeoutException($"{name} did not get ready on port {port}; see {Path.Combine(logDir, name + ".log")}.");
            }
            if (readyPath is null ? await IsListeningAsync(port, host)
                : await http.GetAsync($"http://{host}:{port}{readyPath}").ContinueWith(t => t.IsCompletedSuccessfully && t.Result.IsSuccessStatusCode))
                return server;
            await Task.Delay(100);
        }
    }

    /// <summary>Sends a signal by name (KILL, TERM, STOP, CONT); a process already gone is left alone.</summary>
    public async Task SignalAsync(string signal)
    {
        if (_process.HasExited) return;
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()]);
        await kill!.WaitForExitAsync();
    }

    /// <summary>Waits until the process has exited, at most `timeout` (then it is killed).</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
    }

    /// <summary>SIGTERM (SIGINT for Azurite would matter only on disk: ours are in memory), then SIGKILL after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await SignalAsync("CONT"); // a stopped process cannot handle SIGTERM
                await SignalAsync("TERM");
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<bool> IsListeningAsync(int port, string host = "127.0.0.1")
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Parse(host), port);
            return true;
        }
        catch (SocketException) { return false; }
    }
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
        return ServerProcess.StartAsync("azurite", AzuriteBin, AzuriteArgs("127.0.0.1", port), port, logDir);
    }

    public static string AzuriteBin
    {
        get
        {
            var bin = Path.Combine(Paths.RepoRoot, "node_modules", ".bin", "azurite-table");
            return File.Exists(bin) ? bin : throw new InvalidOperationException($"{bin} is missing: run `npm ci` in the repository root.");
        }
    }

    /// <summary>In memory: nothing to clean up, and a run starts empty.</summary>
    public static string AzuriteArgs(string host, int port) =>
        $"--tableHost {host} --tablePort {port} --disableTelemetry --silent --skipApiVersionCheck --inMemoryPersistence";

    public static string AzuriteConnectionString(int port, string host = "127.0.0.1") =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"TableEndpoint=http://{host}:{port}/devstoreaccount1;";

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
