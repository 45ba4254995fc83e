using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.LoadTests.Chaos;
using Spectre.Console;

namespace Chat.LoadTests.Community;

/// <summary>A target of the community workload: its web nodes, its processes on this machine (by role) and where its silos' /metrics are.</summary>
public sealed record CommunityTarget(string Name, Uri[] Urls, (string Role, int Pid)[] Processes, (string Name, Uri Url)[] Silos);

public sealed record HottestThread(int Readers, Percentiles LatencyMs);

/// <summary>The `--out` JSON of one community run (field names as the README gives them).</summary>
public sealed record CommunityResult
{
    public required string Name { get; init; }
    public long Lost { get; init; }
    public long Duplicated { get; init; }
    public long OutOfOrder { get; init; }
    public long Missing { get; init; }
    public long PostErrors { get; init; }
    public long ConnectErrors { get; init; }
    public long OtherErrors { get; init; }
    public long PostsSent { get; init; }
    public long PostsAcked { get; init; }
    public long Deliveries { get; init; }
    public long Expected { get; init; }
    public double DeliveriesPerSec { get; init; }
    public double AcksPerSec { get; init; }
    public required Percentiles LatencyMs { get; init; }
    public required Percentiles AckMs { get; init; }
    public required HottestThread HottestThread { get; init; }
    public int PeakConnections { get; init; }
    /// <summary>From starting the generator processes to every connection open (and joined): a lower bound of the connect rate, process start-up included.</summary>
    public double ConnectSeconds { get; init; }
    /// <summary>Connections / <see cref="ConnectSeconds"/>.</summary>
    public double ConnectsPerSec { get; init; }
    public ProcessUsage[] Processes { get; init; } = [];
    /// <summary>Thread grain activations per silo at the end (Orleans' `orleans-catalog-activations` gauge on each silo's /metrics, grain_type "thread").</summary>
    public Dictionary<string, long> ActivationsBySilo { get; init; } = [];
    public string ActivationsSource { get; init; } = "";
    public int MaxInFlightPerPoster { get; init; }
    public long PostsWaitedForSlot { get; init; }
    public long Votes { get; init; }
    public long Typing { get; init; }
    public long FrontPageLoads { get; init; }
    public long ReadersArrived { get; init; }
    public long ReadersLeft { get; init; }
    public long GapFetches { get; init; }
    public int Workers { get; init; }
    public double Seconds { get; init; }
    public string? LastError { get; init; }
    public Sample[] Timeline { get; init; } = [];
    /// <summary>Posts sent again on another node after their connection failed under them (same clientId).</summary>
    public long RetriedPosts { get; init; }
    /// <summary>Times readers, idle pages and posters moved to another node (it said Reconnect, or their connection closed).</summary>
    public long Moves { get; init; }
    /// <summary>With --scale: each move and what readers and posters saw in its window.</summary>
    public ScaleEventResult[]? ScaleEvents { get; init; }
    /// <summary>With --scale: the silos' thread activations read every few seconds through the run.</summary>
    public ActivationSample[]? ActivationTimeline { get; init; }
    public required CommunitySettings Settings { get; init; }

    [JsonIgnore] public bool Correct => Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && Missing == 0;
}

/// <summary>
/// The `community` scenario: a busy site's workload (<see cref="CommunitySettings"/>) on a cluster of
/// separate processes it starts itself (Azurite, silos, web nodes in the Client topology, as run.sh
/// --cluster does) or on --urls, from as many generator processes (<see cref="CommunityWorker"/>) as
/// the connections need, their histograms merged.
/// </summary>
public static class CommunityScenario
{
    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var s = CommunitySettings.From(o);
        var urls = o.Urls("urls");
        var siloUrls = o.Urls("silo-urls");
        var env = Env(o, s);
        var outPath = OutFile(o, "community");
        IReadOnlyList<ScaleStep> steps = [];
        if (o.Has("scale"))
        {
            if (urls is not null) throw new UsageException("--scale adds and removes nodes of the cluster the tool starts itself; it cannot with --urls (drop --urls and --silo-urls, give --silos and --web).");
            steps = CommunityScaler.Parse(o, s);
            s = s with { Scale = string.Join(",", steps.Select(x => x.Text)) };
            if (s.Duration < ScaleSchedule.Needs(steps))
            {
                ui.Line($"--duration {s.Duration.TotalSeconds:0}s is extended to {ScaleSchedule.Needs(steps).TotalSeconds:0}s: the last --scale move, {steps[^1].Text}, and {ScaleSchedule.Settle.TotalSeconds:0} s after it");
                s = s with { Duration = ScaleSchedule.Needs(steps) };
            }
        }
        Scenarios.CheckUnused(o);
        var logDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath) + "-logs");
        await using var cluster = urls is null ? await StartClusterAsync(s, logDir, env, ui) : null;
        var target = cluster is null
            ? new CommunityTarget("product", urls!, [], [.. (siloUrls ?? []).Select((u, i) => ($"silo{i + 1}", u))])
            : Of(cluster);
        var scaler = steps.Count > 0 ? new CommunityScaler(cluster!, steps, ui.Line) : null;
        var result = await RunOnceAsync(target, s, ui, logDir, ct, scaler);
        ui.Write(Summary([result]));
        if (result.ScaleEvents is { } events) ui.Write(CommunityScaler.Table(events));
        Report.WriteJson(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath), result);
        ui.Line($"results: {outPath}");
        return Judge(result, ui);
    }

    public static int Judge(CommunityResult r, Ui ui)
    {
        if (r.Correct && r.PostErrors == 0 && r.ConnectErrors == 0) return 0;
        ui.Line($"FAIL {r.Name}: lost {r.Lost}, duplicated {r.Duplicated}, out of order {r.OutOfOrder}, missing {r.Missing}, post errors {r.PostErrors}, connect errors {r.ConnectErrors} (last: {r.LastError})");
        return 1;
    }

    /// <summary>--out FILE.json, or a folder (then community-TIME.json in it); default results/.</summary>
    public static string OutFile(Options o, string name)
    {
        var path = o.String("out", "results")!;
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? path : Path.Combine(path, $"{name}-{DateTime.Now:yyyyMMdd-HHmmss}.json");
    }

    /// <summary>Settings for every silo and web node: the GC mode (--gc) and --product-env.</summary>
    public static Dictionary<string, string> Env(Options o, CommunitySettings s)
    {
        var env = new Dictionary<string, string>(CommunitySettings.GcEnv(s.Gc));
        foreach (var (k, v) in Targets.ProductEnv(o)) env[k] = v;
        return env;
    }

    public static async Task<ChaosCluster> StartClusterAsync(CommunitySettings s, string logDir, IReadOnlyDictionary<string, string> env, Ui ui)
    {
        ui.Line($"starting Azurite, {s.Silos} silo(s) and {s.Webs} web node(s) as separate processes (GC: {s.Gc}); logs in {logDir}");
        return await ChaosCluster.StartAsync(s.Silos, s.Webs, logDir, lab: null, env, ui.Line);
    }

    /// <summary>The cluster's running nodes (a scaled cluster keeps its removed ones in its lists, stopped).</summary>
    public static CommunityTarget Of(ChaosCluster cluster) => new("product", [.. cluster.Webs.Where(w => w.IsUp).Select(w => w.Url)],
        [.. cluster.Webs.Where(w => w.IsUp).Select(w => ("web", w.Process!.Pid)), .. cluster.Silos.Where(x => x.IsUp).Select(x => ("silo", x.Process!.Pid)), ("azurite", cluster.Azurite.Process!.Pid)],
        [.. cluster.Silos.Where(x => x.IsUp).Select(x => (x.Name, x.Url))]);

    /// <summary>Sets up users and threads on the target, runs the workers, merges what they measured.</summary>
    /// <param name="scaler">With --scale: plays the schedule during the measured time (the cluster must be the one behind <paramref name="target"/>).</param>
    public static async Task<CommunityResult> RunOnceAsync(CommunityTarget target, CommunitySettings s, Ui ui, string workDir, CancellationToken ct, CommunityScaler? scaler = null)
    {
        Directory.CreateDirectory(workDir);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var workers = s.WorkerCount;
        ui.Line($"[{target.Name}] community: {s.Threads} threads (Zipf s={s.ZipfS}), {s.Readers} readers + {s.Idle} idle over {target.Urls.Length} web node(s), "
            + $"{s.Posters} posters at {s.Rate}/s, churn {s.Churn:P1}/s, {workers} generator process(es); {s.Warmup.TotalSeconds}s warm-up + {s.Duration.TotalSeconds}s");
        var tokens = new string[s.Posters];
        await Parallel.ForEachAsync(Enumerable.Range(0, s.Posters), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, _) =>
        {
            using var api = new ApiClient(target.Urls[i % target.Urls.Length]);
            tokens[i] = await api.SignUpAsync($"lc{tag}p{i}");
        });
        var threads = new string[s.Threads];
        using (var owner = new ApiClient(target.Urls[0]))
        {
            var token = await owner.SignUpAsync($"lc{tag}owner");
            await Parallel.ForEachAsync(Enumerable.Range(0, s.Threads), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (t, _) =>
            {
                using var api = new ApiClient(target.Urls[t % target.Urls.Length]);
                api.Http.DefaultRequestHeaders.Authorization = new("Bearer", token);
                threads[t] = await api.CreateThreadAsync($"Community {tag} #{t + 1}");
            });
        }
        ui.Line($"[{target.Name}] {s.Posters} posters signed up, {s.Threads} threads created; starting {workers} generator process(es)");
        var plan = new CommunityPlan(s, [.. target.Urls.Select(u => u.ToString())], threads, tokens, workers);
        var planPath = Path.Combine(workDir, $"plan-{tag}.json");
        await File.WriteAllTextAsync(planPath, JsonSerializer.Serialize(plan, ApiClient.Json), ct);
        var procs = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < workers; i++) procs.Add(WorkerProcess.Start(i, planPath, Path.Combine(workDir, $"worker-{tag}-{i}")));
            var readyBy = Stopwatch.StartNew();
            var readyLimit = TimeSpan.FromSeconds(120 + s.Connections / 50.0);
            while (!procs.All(p => p.Ready))
            {
                if (procs.FirstOrDefault(p => p.HasExited) is { } dead) throw new InvalidOperationException($"generator {dead.Index} exited while connecting; see {dead.Log}");
                if (readyBy.Elapsed > readyLimit) throw new TimeoutException($"generators not connected after {readyLimit.TotalSeconds:0}s");
                await Task.Delay(200, ct);
            }
            ui.Line($"[{target.Name}] every generator connected: {s.Connections} connections in {readyBy.Elapsed.TotalSeconds:0.0}s ({s.Connections / readyBy.Elapsed.TotalSeconds:0}/s, generator start-up included); go");
            var start = Stopwatch.GetTimestamp() + DueClock.Ticks(TimeSpan.FromMilliseconds(500));
            foreach (var p in procs) await p.GoAsync(start);
            var connectSeconds = readyBy.Elapsed.TotalSeconds; // now: the measurement below must not count in it
            return (await MeasureAsync(target, s, ui, procs, start, scaler, ct)) with
            {
                ConnectSeconds = Math.Round(connectSeconds, 1),
                ConnectsPerSec = Math.Round(s.Connections / connectSeconds),
            };
        }
        finally
        {
            foreach (var p in procs) await p.DisposeAsync();
        }
    }

    private static async Task<CommunityResult> MeasureAsync(CommunityTarget target, CommunitySettings s, Ui ui, List<WorkerProcess> procs, long start, CommunityScaler? scaler, CancellationToken ct)
    {
        var measureFrom = start + DueClock.Ticks(s.Warmup);
        using var stopScaling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var scaling = scaler?.RunAsync(measureFrom, procs, stopScaling.Token) ?? Task.CompletedTask;
        var watching = scaler?.WatchActivationsAsync(measureFrom, stopScaling.Token) ?? Task.CompletedTask;
        var seconds = new List<(double T, HdrHistogram.HistogramBase Deliveries)>();
        var end = measureFrom + DueClock.Ticks(s.Duration);
        ProcessMeter? meter = null;
        ProcessUsage[] usage = [];
        var timeline = new List<Sample>();
        var peak = 0;
        long lastDeliveries = 0, lastAcks = 0;
        var lastT = 0.0;
        var limit = Stopwatch.StartNew();
        var allowed = s.Warmup + s.Duration + s.Drain + TimeSpan.FromMinutes(2);
        while (!procs.All(p => p.HasExited))
        {
            await Task.Delay(1000, ct);
            var now = Stopwatch.GetTimestamp();
            if (meter is null && now >= measureFrom)
                meter = ProcessMeter.Start([.. target.Processes, .. procs.Select(p => ("generator", p.Pid)), ("generator", Environment.ProcessId)]);
            if (meter is not null && usage.Length == 0) { if (now >= end) usage = meter.Stop(); else meter.Sample(); }
            var t = Stopwatch.GetElapsedTime(measureFrom, now).TotalSeconds;
            var snapshots = procs.Select(p => p.Latest).Where(x => x is not null).ToArray();
            long deliveries = snapshots.Sum(x => x!.Deliveries), acks = snapshots.Sum(x => x!.Acks), errors = snapshots.Sum(x => x!.Errors);
            peak = Math.Max(peak, snapshots.Sum(x => x!.Connections));
            var interval = HistogramCodec.Merge(procs.SelectMany(p => p.TakeIntervals()));
            if (scaler is not null) seconds.Add((t, interval));
            if (now <= end + DueClock.Ticks(s.Drain))
            {
                var sample = new Sample(Math.Round(t, 1), Math.Round((deliveries - lastDeliveries) / Math.Max(0.001, t - lastT)), Math.Round((acks - lastAcks) / Math.Max(0.001, t - lastT)),
                    interval.TotalCount == 0 ? 0 : interval.GetValueAtPercentile(50) / 1000.0, interval.TotalCount == 0 ? 0 : interval.GetValueAtPercentile(99) / 1000.0, errors);
                timeline.Add(sample);
                ui.Line($"[{target.Name}{(t < 0 ? " warm-up" : now > end ? " drain" : "")}] t={t,5:0}s deliveries/s={sample.DeliveriesPerSec,8:0} acks/s={sample.AcksPerSec,6:0} p50={sample.P50Ms,7:0.0}ms p99={sample.P99Ms,7:0.0}ms connections={snapshots.Sum(x => x!.Connections)} errors={errors}");
            }
            (lastDeliveries, lastAcks, lastT) = (deliveries, acks, t);
            if (limit.Elapsed > allowed) throw new TimeoutException($"generators still running after {allowed.TotalSeconds:0}s");
        }
        if (usage.Length == 0 && meter is not null) usage = meter.Stop();
        var runEnd = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;
        if (!scaling.IsCompleted) ui.Line("the --scale schedule had not finished when the generators did: its last moves are left out");
        await stopScaling.CancelAsync();
        try { await scaling; } catch (OperationCanceledException) { }
        await watching;
        var failed = procs.Where(p => p.ExitCode != 0 || !File.Exists(p.ResultPath)).ToList();
        if (failed.Count > 0) throw new InvalidOperationException($"generator(s) {string.Join(", ", failed.Select(p => p.Index))} failed; see {failed[0].Log}");
        var reports = procs.Select(p => JsonSerializer.Deserialize<WorkerReport>(File.ReadAllText(p.ResultPath), ApiClient.Json)!).ToArray();
        var (activations, source) = await ActivationsAsync(scaler?.Target ?? target, ct);
        var result = Merge(target.Name, s, reports, usage, peak, activations, source, timeline);
        if (scaler is null) return result;
        var posts = reports.SelectMany(r => r.Posts ?? []).ToList();
        var timelineOfActivations = scaler.Activations;
        return result with
        {
            ScaleEvents = [.. ScaleWindows.Compute(scaler.Records, posts, seconds, runEnd, timelineOfActivations)],
            ActivationTimeline = [.. timelineOfActivations],
        };
    }

    /// <summary>Adds up the workers' reports: counts summed, histograms merged (exact), rates over the measured time.</summary>
    public static CommunityResult Merge(string name, CommunitySettings s, WorkerReport[] reports, ProcessUsage[] usage, int peak,
        Dictionary<string, long> activations, string activationsSource, List<Sample> timeline)
    {
        var seconds = s.Duration.TotalSeconds;
        return new CommunityResult
        {
            Name = name, Settings = s, Workers = reports.Length, Seconds = seconds,
            Lost = reports.Sum(r => r.Lost), Duplicated = reports.Sum(r => r.Duplicated), OutOfOrder = reports.Sum(r => r.OutOfOrder), Missing = reports.Sum(r => r.Missing),
            PostErrors = reports.Sum(r => r.PostErrors), ConnectErrors = reports.Sum(r => r.ConnectErrors), OtherErrors = reports.Sum(r => r.OtherErrors),
            PostsSent = reports.Sum(r => r.PostsSent), PostsAcked = reports.Sum(r => r.PostsAcked), Deliveries = reports.Sum(r => r.Deliveries), Expected = reports.Sum(r => r.Expected),
            DeliveriesPerSec = Math.Round(reports.Sum(r => r.MeasuredDeliveries) / seconds), AcksPerSec = Math.Round(reports.Sum(r => r.MeasuredAcks) / seconds),
            LatencyMs = Percentiles.Of(HistogramCodec.Merge(reports.Select(r => r.Latency))),
            AckMs = Percentiles.Of(HistogramCodec.Merge(reports.Select(r => r.AckLatency))),
            HottestThread = new HottestThread(reports.Sum(r => r.HottestReaders), Percentiles.Of(HistogramCodec.Merge(reports.Select(r => r.HottestLatency)))),
            PeakConnections = peak, Processes = usage, ActivationsBySilo = activations, ActivationsSource = activationsSource,
            MaxInFlightPerPoster = reports.Max(r => r.MaxInFlightPerPoster), PostsWaitedForSlot = reports.Sum(r => r.PostsWaitedForSlot),
            Votes = reports.Sum(r => r.Votes), Typing = reports.Sum(r => r.Typing), FrontPageLoads = reports.Sum(r => r.FrontPageLoads),
            ReadersArrived = reports.Sum(r => r.ReadersArrived), ReadersLeft = reports.Sum(r => r.ReadersLeft), GapFetches = reports.Sum(r => r.GapFetches),
            LastError = reports.Select(r => r.LastError).FirstOrDefault(e => e is not null), Timeline = [.. timeline],
            RetriedPosts = reports.Sum(r => r.RetriedPosts), Moves = reports.Sum(r => r.Moves),
        };
    }

    /// <summary>
    /// Thread grain activations on each silo: Orleans' own catalog gauge `orleans-catalog-activations`
    /// (per grain type), which the product exports on every silo's /metrics (Prometheus:
    /// orleans_catalog_activations{grain_type="thread"}). No cluster client or product change needed.
    /// </summary>
    public static async Task<(Dictionary<string, long>, string)> ActivationsAsync(CommunityTarget target, CancellationToken ct)
    {
        var byName = new Dictionary<string, long>();
        foreach (var (name, url) in target.Silos)
            if (await ServerMemory.MetricsAsync(url, ct) is { } text) byName[name] = ThreadActivations(text);
        return (byName, target.Silos.Length == 0 ? "unknown: give --silo-urls (the silos' /metrics) with --urls" : "orleans_catalog_activations{grain_type=\"thread\"} on each silo's /metrics");
    }

    /// <summary>The sum of `orleans_catalog_activations` samples of the thread grain type.</summary>
    public static long ThreadActivations(string metrics)
    {
        long sum = 0;
        foreach (var line in metrics.Split('\n'))
            if (line.StartsWith("orleans_catalog_activations{", StringComparison.Ordinal) && line.Contains("grain_type=\"thread\"", StringComparison.Ordinal)
                && double.TryParse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                sum += (long)v;
        return sum;
    }

    public static Table Summary(IReadOnlyList<CommunityResult> results)
    {
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]community[/]")
            .Caption("latency: from each post's due time to each reader (all generator processes, merged), after the warm-up; correctness: the whole run; cores: CPU seconds per second over the measured time");
        foreach (var c in new[] { "target", "acks/s", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "ack p99 ms", "hottest (readers) p99 ms", "post err", "conn err", "lost", "dup", "out-of-order", "missing", "peak conns", "max in flight/poster", "cores by role", "activations by silo" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var r in results)
            t.AddRow(Markup.Escape(r.Name), $"{r.AcksPerSec:0}", $"{r.DeliveriesPerSec:0}", $"{r.LatencyMs.P50}", $"{r.LatencyMs.P99}", $"{r.LatencyMs.P999}", $"{r.LatencyMs.Max}", $"{r.AckMs.P99}",
                $"({r.HottestThread.Readers}) {r.HottestThread.LatencyMs.P99}", $"{r.PostErrors}", $"{r.ConnectErrors}", $"{r.Lost}", $"{r.Duplicated}", $"{r.OutOfOrder}", $"{r.Missing}",
                $"{r.PeakConnections}", $"{r.MaxInFlightPerPoster}/{r.Settings.PosterInFlight}",
                Markup.Escape(string.Join(" ", r.Processes.GroupBy(p => p.Role).Select(g => $"{g.Key} {g.Sum(p => p.CpuCores):0.00}"))),
                Markup.Escape(string.Join(" ", r.ActivationsBySilo.Select(kv => $"{kv.Key}:{kv.Value}"))));
        return t;
    }
}

/// <summary>A generator process (`community-worker`) and what it said so far.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _intervals = new();
    private volatile bool _ready;

    private WorkerProcess(int index, Process process, string basePath)
    {
        Index = index;
        _process = process;
        Log = basePath + ".log";
        ResultPath = basePath + ".json";
        _log = new StreamWriter(Log) { AutoFlush = true };
    }

    public int Index { get; }
    public string Log { get; }
    public string ResultPath { get; }
    public int Pid => _process.Id;
    public bool Ready => _ready;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.HasExited ? _process.ExitCode : -1;
    public WorkerProgress? Latest { get; private set; }

    public static WorkerProcess Start(int index, string planPath, string basePath)
    {
        var dll = Paths.BuiltDll("load-tests/Chat.LoadTests", "Chat.LoadTests");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { dll, "community-worker", "--plan", planPath, "--index", index.ToString(CultureInfo.InvariantCulture), "--result", basePath + ".json" })
            psi.ArgumentList.Add(a);
        // Lean readers' socket continuations on the polling thread (LoadTool.InlineSocketCompletionsForLeanReaders).
        psi.Environment[LoadTool.InlineCompletionsVariable] = Environment.GetEnvironmentVariable(LoadTool.InlineCompletionsVariable) ?? "1";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("a generator process did not start");
        var w = new WorkerProcess(index, process, basePath);
        ProcessMeter.Register(process.Id, "generator");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) w.OnLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (w._log) w._log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return w;
    }

    private void OnLine(string line)
    {
        if (line == "@ready") _ready = true;
        else if (line.StartsWith("@p ", StringComparison.Ordinal))
        {
            var p = JsonSerializer.Deserialize<WorkerProgress>(line[3..], ApiClient.Json)!;
            Latest = p;
            if (p.Interval is not null) lock (_intervals) _intervals.Enqueue(p.Interval);
        }
        else lock (_log) _log.WriteLine(line);
    }

    /// <summary>The delivery histograms of the seconds reported since the last call.</summary>
    public string[] TakeIntervals()
    {
        lock (_intervals)
        {
            var all = _intervals.ToArray();
            _intervals.Clear();
            return all;
        }
    }

    public Task GoAsync(long startTicks) => SendAsync($"go {startTicks.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A line on the generator's stdin ("go TICKS", "nodes URL,…").</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { /* gone */ }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
