using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>Entry point: `command --option value ...`. Exit 0 = correct and within the error limit.</summary>
public static class LoadTool
{
    public static readonly string Usage = """
        usage: Chat.LoadTests COMMAND [options]
          hot-thread        R readers of one thread, P posters at a fixed total rate
          many-threads      the same spread over --threads T
          ramp              raise the rate step by step until p99 or errors cross a limit (--start-rate 50 --step 50
                            --step-duration 10s --p99-limit 100; --until-saturation: on past the p99 limit while
                            the target keeps up, for its most deliveries/s)
          connect-storm     connect readers at rising rates until errors
          idle-connections  N idle readers; server memory per connection (--server-pid or /metrics)
          connections       ramp to --connections C lean connections on one node (default 10000; without --url it
                            starts Azurite + the product), --readers R of them on a hot thread at --rate/s;
                            connect rate, memory per connection, delivery p50/p99, errors (--connect-rate 2000)
          soak              hot-thread, long and moderate (defaults: 10m, 20/s)
          compare           one scenario against plain SignalR, SignalR+Redis (2 nodes) and the product
                            (lean readers, 2000 of them, unless --reader / --readers say otherwise); --scenario
                            hot-thread|many-threads|ramp|idle-connections, --targets baseline,baseline+redis,product
                            (ramp: plain SignalR and the product, each to saturation, from 60/s by 40/s)
        """ + "\n" + Community.CommunitySettings.Help + "\n" + """
          followers         --followers F users (default 10000) follow one thread, --watchers W of them (200) with the inbox
                            open; --rate comments/s (10) for --duration (30s) after --warmup (10s): inbox calls and grain
                            messages per comment, latency to the inbox (p50/p99), CPU and RSS per process (without --url it
                            starts Azurite + the product: --product-env; --signup-concurrency 16)
          storage           Azurite single inserts vs 100-entity transactions (+ product acks/s with --url)
          chaos             starts its own cluster (Azurite, --silos 3, --web 2), loads hot threads, plays a seeded
                            fault schedule and checks the whole history (see load-tests/README.md; no --url)
                            --seed N --duration 10m --fault-every 15s..30s --faults kill-silo,stop-azurite,...
                            --schedule "10s kill silo:thread for 3s; 30s stop silo:2 for 5s; 45s partition silo-silo for 8s"
                            --membership fast|Key=Value,...  --env KEY=VALUE,...  --retry-budget 30s --slow 1s --no-netns
        common: --url http://127.0.0.1:5000[,http://...]  --readers 100 --posters 4 --rate 50 --duration 20s
                --threads 1 --out results/ --max-error-rate 0.01 --max-posts 1000000 --drain 15s
                --allow-remote (otherwise only loopback targets) --no-live
                --server-pid PID (hot-thread, many-threads, soak: the server's CPU share beside the generator's)
                --reader dotnet|lean (the .NET SignalR client, or a raw-WebSocket reader that costs far less CPU)
        """;

    /// <summary>.NET's switch that runs socket continuations on the thread that polls the sockets.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Lean readers do little per message: running their socket continuations on the thread that
    /// polls the sockets, instead of queueing each to the thread pool, cut the generator's CPU per
    /// delivery by 12-15% (docs/performance-history.md). Not for the .NET client, whose handlers do more per
    /// message and would hold up the other sockets. Must be set before the first socket is made;
    /// a value set by the caller wins (0 to measure without). Only for the tool's own process
    /// (Program.cs): tests that call <see cref="RunAsync"/> in theirs keep their settings.
    /// </summary>
    public static void InlineSocketCompletionsForLeanReaders(string[] args)
    {
        if (args.Length == 0 || Environment.GetEnvironmentVariable(InlineCompletionsVariable) is not null) return;
        string? reader;
        try { reader = new Options(args.Skip(1)).Peek("reader"); }
        catch (UsageException) { return; } // RunAsync says what is wrong
        var kind = reader ?? (args[0] is "compare" or "connections" or "idle-connections" or "community" or "community-worker" ? ReaderKinds.Lean : ReaderKinds.DotNet);
        if (ReaderKinds.IsLean(kind)) Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { Console.WriteLine(Usage); return args.Length == 0 ? 2 : 0; }
        try
        {
            var o = new Options(args.Skip(1));
            var ui = new Ui(!o.Has("no-live") && AnsiConsole.Profile.Capabilities.Interactive);
            if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected) AnsiConsole.Profile.Width = 220; // tables stay readable in logs
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler cancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
            Console.CancelKeyPress += cancel;
            // SIGTERM (kill, timeout, a CI job stopped) as Ctrl-C: the run stops its servers and workers
            // instead of the runtime exiting under them and leaving them running.
            using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, signal => { signal.Cancel = true; cts.Cancel(); });
            try
            {
                var task = args[0] switch
                {
                    "hot-thread" => Scenarios.LoadAsync("hot-thread", o, ui, threads: 1, cts.Token),
                    "many-threads" => Scenarios.LoadAsync("many-threads", o, ui, threads: null, cts.Token),
                    "soak" => Scenarios.LoadAsync("soak", o, ui, threads: 1, cts.Token),
                    "ramp" => Ramp.RunAsync(o, ui, cts.Token),
                    "connect-storm" => Scenarios.ConnectStormAsync(o, ui, cts.Token),
                    "idle-connections" => Scenarios.IdleConnectionsAsync(o, ui, cts.Token),
                    "connections" => ConnectionsScenario.RunAsync(o, ui, cts.Token),
                    "compare" => Compare.RunAsync(o, ui, cts.Token),
                    "storage" => StorageBench.RunAsync(o, ui, cts.Token),
                    "chaos" => Chaos.ChaosScenario.RunAsync(o, ui, cts.Token),
                    "community" => Community.CommunityScenario.RunAsync(o, ui, cts.Token),
                    "community-worker" => Community.CommunityWorker.RunProcessAsync(o, cts.Token),
                    "followers" => Followers.FollowersScenario.RunAsync(o, ui, cts.Token),
                    _ => throw new UsageException($"Unknown command '{args[0]}'."),
                };
                return await task;
            }
            finally { Console.CancelKeyPress -= cancel; }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 3;
        }
    }
}

/// <summary>Progress lines: Spectre markup on a terminal, plain lines otherwise (CI, tests, pipes).</summary>
public sealed class Ui(bool live)
{
    public bool Live { get; } = live;
    public void Line(string text) { if (Live) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]"); else Console.WriteLine(text); }
    public void Sample(string target, Sample s) =>
        Line($"[{target}] t={s.T,5:0}s deliveries/s={s.DeliveriesPerSec,8:0} acks/s={s.AcksPerSec,6:0} p50={s.P50Ms,7:0.0}ms p99={s.P99Ms,7:0.0}ms errors={s.Errors}");
    public void Write(Spectre.Console.Rendering.IRenderable r) => AnsiConsole.Write(r);
}
