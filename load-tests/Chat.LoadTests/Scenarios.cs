using System.Diagnostics;

namespace Chat.LoadTests;

public static class Scenarios
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(2);

    /// <param name="readers">Readers when --readers is not given.</param>
    /// <param name="reader">The reader kind when --reader is not given (<see cref="ReaderKinds"/>).</param>
    public static LoadSettings Settings(Options o, string scenario, int? threads, int readers = 100, string reader = ReaderKinds.DotNet)
    {
        var soak = scenario == "soak";
        var s = new LoadSettings(
            Readers: o.Int("readers", readers, 0, 50_000),
            Posters: o.Int("posters", 4, 1, 1_000),
            Threads: threads ?? o.Int("threads", 10, 1, 10_000),
            Rate: o.Double("rate", soak ? 20 : 50, 0.1, 100_000),
            Duration: o.Duration("duration", soak ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(20), MaxDuration),
            MaxPosts: o.Int("max-posts", 1_000_000, 1),
            Drain: o.Duration("drain", TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5)),
            Warmup: o.Duration("warmup", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), allowZero: true))
        { Reader = ReaderKinds.Parse(o, reader) };
        return s;
    }

    public static Uri[] RequireUrls(Options o) => o.Urls() ?? throw new UsageException("--url is required (e.g. --url http://127.0.0.1:5000).");

    public static string OutDir(Options o) => o.String("out", "results")!;

    public static async Task<int> LoadAsync(string scenario, Options o, Ui ui, int? threads, CancellationToken ct)
    {
        var urls = RequireUrls(o);
        var settings = Settings(o, scenario, threads);
        var maxErrorRate = o.Double("max-error-rate", 0.01, 0, 1);
        var outDir = OutDir(o);
        int[] serverPids = o.Has("server-pid") ? [o.Int("server-pid", 0, 1)] : [];
        CheckUnused(o);
        var result = await RunOneAsync(scenario, "target", urls, settings, ui, ct, serverPids);
        return Finish(scenario, [result], outDir, maxErrorRate, ui);
    }

    public static void CheckUnused(Options o)
    {
        var unused = o.Unused.ToList();
        if (unused.Count > 0) throw new UsageException($"Unknown option(s) for this command: {string.Join(", ", unused.Select(u => "--" + u))}.");
    }

    /// <summary>Prints the table, writes JSON + PNG, and turns the results into an exit code.</summary>
    public static int Finish(string scenario, IReadOnlyList<RunResult> results, string outDir, double maxErrorRate, Ui ui, Func<RunResult, bool>? judged = null)
    {
        ui.Write(Report.Summary(results));
        var name = $"{scenario}-{DateTime.Now:yyyyMMdd-HHmmss}";
        var json = Report.WriteJson(outDir, name, results);
        string? png = null;
        try { png = Report.WritePng(outDir, name, results); }
        catch (Exception e) { ui.Line($"PNG report failed: {e.Message}"); }
        ui.Line($"results: {json}" + (png is null ? "" : $"  report: {png}"));
        var rc = 0;
        foreach (var r in results.Where(judged ?? (_ => true)))
        {
            if (!r.Correct) { ui.Line($"FAIL {r.Target}: lost {r.Lost}, duplicated {r.Duplicated}, out of order {r.OutOfOrder}, missing at the end {r.Missing}"); rc = 1; }
            if (r.ErrorRate > maxErrorRate) { ui.Line($"FAIL {r.Target}: error rate {r.ErrorRate:P2} above --max-error-rate {maxErrorRate:P2} (last: {r.LastError})"); rc = 1; }
        }
        return rc;
    }

    /// <param name="serverPids">The target's processes on this machine, for its CPU share; none = unknown.</param>
    public static async Task<RunResult> RunOneAsync(string scenario, string target, Uri[] urls, LoadSettings s, Ui ui, CancellationToken ct, IReadOnlyList<int>? serverPids = null)
    {
        await using var run = new LoadRun(urls);
        ui.Line($"[{target}] {scenario}: {s.Readers} readers, {s.Posters} posters, {s.Threads} thread(s), {s.Rate}/s for {s.Duration.TotalSeconds}s on {string.Join(", ", urls.Select(u => u.ToString()))}");
        await run.SetUpAsync(s.Threads, s.Readers, s.Posters, ui.Line, ct, s.Reader);
        var warmup = new List<Sample>();
        if (s.Warmup > TimeSpan.Zero)
        {
            // A quarter, half, then all of the rate, a third of the warm-up each: a cold server and
            // generator compile their hot paths at a rate they can carry, instead of building a
            // backlog at the full rate that the measured time would then start with.
            ui.Line($"[{target}] warming up for {s.Warmup.TotalSeconds}s at 1/4, 1/2, then all of the rate (not counted in latency or rates)");
            var third = s.Warmup / 3;
            for (var i = 0; i < 3; i++)
                warmup.AddRange(await run.PostPhaseAsync(s.Rate * (i == 2 ? 1 : 0.25 * (i + 1)), third, s.MaxPosts, -s.Warmup.TotalSeconds + i * third.TotalSeconds, x => ui.Sample($"{target} warm-up", x), ct));
        }
        var before = run.StartMeasuring();
        var stagesBefore = await PostStageReport.ReadAsync(urls, ct);
        var sw = Stopwatch.StartNew();
        var cpu = CpuMeter.Start(serverPids);
        var processes = ProcessMeter.Start(serverPids ?? []);
        var timeline = await run.PostPhaseAsync(s.Rate, s.Duration, s.MaxPosts, 0, x => ui.Sample(target, x), ct);
        var seconds = sw.Elapsed.TotalSeconds;
        var cpuShare = cpu.Stop();
        var usage = processes.Stop();
        var measured = (Interlocked.Read(ref run.Stats.Deliveries) - before.Deliveries, Interlocked.Read(ref run.Stats.Acks) - before.Acks);
        ui.Line($"[{target}] draining (up to {s.Drain.TotalSeconds}s) and verifying every reader");
        var v = await run.DrainAndVerifyAsync(s.Drain);
        // After the drain: the last comments' deliveries are counted too.
        var stages = stagesBefore is not null && await PostStageReport.ReadAsync(urls, ct) is { } stagesAfter ? PostStageReport.Between(stagesBefore, stagesAfter) : [];
        var result = Result(scenario, target, urls, s, run, seconds, [.. warmup, .. timeline], v, measured) with { Cpu = cpuShare, Stages = stages, Processes = usage };
        if (stages.Length > 0) ui.Write(PostStageReport.Table(target, stages, result.Latency.P50, result.Latency.P99));
        return result;
    }

    /// <param name="measured">Deliveries and acks of the measured time (after the warm-up); null = all of them.</param>
    public static RunResult Result(string scenario, string target, Uri[] urls, LoadSettings s, LoadRun run, double seconds, Sample[] timeline,
        (long Expected, long Lost, long Duplicated, long OutOfOrder, long Missing, long JoinRepeats) v, (long Deliveries, long Acks)? measured = null)
    {
        var st = run.Stats;
        var (deliveries, acks) = measured ?? (st.Deliveries, st.Acks);
        var attempts = st.PostsSent + s.Readers;
        return new RunResult
        {
            Scenario = scenario, Target = target, Urls = urls.Select(u => u.ToString()).ToArray(), Settings = s,
            Seconds = Math.Round(seconds, 2), PostsSent = st.PostsSent, Acks = st.Acks, PostErrors = st.PostErrors,
            ConnectionErrors = st.ConnectionErrors, Reconnects = st.Reconnects, Deliveries = st.Deliveries, Pushes = st.Pushes,
            Expected = v.Expected, DeliveriesPerSec = Math.Round(deliveries / seconds), AcksPerSec = Math.Round(acks / seconds),
            WarmupSeconds = measured is null ? 0 : s.Warmup.TotalSeconds,
            Latency = Percentiles.Of(run.AllDelivery), AckLatency = Percentiles.Of(st.Ack.GetIntervalHistogram()),
            Lost = v.Lost, Duplicated = v.Duplicated, OutOfOrder = v.OutOfOrder, Missing = v.Missing, JoinRepeats = v.JoinRepeats,
            GapFetches = st.GapFetches, ErrorRate = attempts == 0 ? 0 : Math.Round((double)(st.PostErrors + st.ConnectionErrors) / attempts, 4),
            LastError = st.LastError, Timeline = timeline,
            MaxInFlightPerPoster = run.Posters.Count == 0 ? 0 : run.Posters.Max(p => p.MaxInFlightSeen), PostsHeldBack = run.Posters.Sum(p => p.HeldBack),
        };
    }

    /// <summary>Connects readers at rising rates (each step for --step-duration) until connections fail.</summary>
    public static async Task<int> ConnectStormAsync(Options o, Ui ui, CancellationToken ct)
    {
        var urls = RequireUrls(o);
        var maxConnections = o.Int("connections", 2_000, 1, 50_000);
        var rate = o.Double("start-rate", 50, 1);
        var stepDuration = o.Duration("step-duration", TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1));
        var maxErrorRate = o.Double("max-error-rate", 0.01, 0, 1);
        var outDir = OutDir(o);
        CheckUnused(o);
        string threadId;
        using (var api = new ApiClient(urls[0])) { await api.SignUpAsync("ltstorm" + Guid.NewGuid().ToString("N")[..8]); threadId = await api.CreateThreadAsync("connect storm"); }
        var stats = new Stats();
        var readers = new List<Reader>();
        var steps = new List<object>();
        double best = 0;
        try
        {
            while (readers.Count < maxConnections && !ct.IsCancellationRequested)
            {
                var n = (int)Math.Min(maxConnections - readers.Count, rate * stepDuration.TotalSeconds);
                var times = HdrHistogram.HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(600_000_000).WithPrecisionOf(3).WithThreadSafeWrites().Create();
                long failed = 0;
                var tasks = new List<Task>();
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < n; i++)
                {
                    var due = TimeSpan.FromSeconds(i / rate) - sw.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due, ct);
                    var r = new Reader(urls[readers.Count % urls.Length], threadId, stats);
                    readers.Add(r);
                    tasks.Add(Task.Run(async () =>
                    {
                        var t = Stopwatch.StartNew();
                        try { await r.StartAsync(ct); times.RecordValue(Math.Max(1, (long)t.Elapsed.TotalMicroseconds)); }
                        catch (Exception) { Interlocked.Increment(ref failed); }
                    }, ct));
                }
                await Task.WhenAll(tasks);
                var achieved = n / sw.Elapsed.TotalSeconds;
                var p = Percentiles.Of(times);
                steps.Add(new { rate, connections = n, achievedPerSec = Math.Round(achieved), failed, connectAndJoin = p, total = readers.Count });
                ui.Line($"step {rate:0}/s: {n} connections, {failed} failed, achieved {achieved:0}/s, connect+join p99 {p.P99} ms, total {readers.Count}");
                if ((double)failed / n > maxErrorRate) break;
                best = achieved;
                rate *= 2;
            }
        }
        finally
        {
            await Parallel.ForEachAsync(readers, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (r, _) => await r.DisposeAsync());
        }
        ui.Line($"highest connect rate without errors: {best:0} connections/s");
        Report.WriteJson(outDir, $"connect-storm-{DateTime.Now:yyyyMMdd-HHmmss}", new { highestRate = best, steps });
        return best > 0 ? 0 : 1;
    }

    /// <summary>N idle readers of one thread; the server's memory per connection (<see cref="IdleMemory"/>).</summary>
    public static async Task<int> IdleConnectionsAsync(Options o, Ui ui, CancellationToken ct)
    {
        var urls = RequireUrls(o);
        var n = o.Int("readers", 1_000, 2, 100_000);
        var hold = o.Duration("duration", TimeSpan.FromSeconds(10), MaxDuration);
        var pid = o.Has("server-pid") ? o.Int("server-pid", 0, 1) : (int?)null;
        var kind = ReaderKinds.Parse(o, ReaderKinds.Lean);
        var points = IdleMemory.Points(o, n);
        n = points[^1];
        var outDir = OutDir(o);
        CheckUnused(o);
        var r = await IdleMemory.MeasureAsync("target", urls, pid, points, hold, kind, ui, ct);
        IdleMemory.Print(r, ui);
        Report.WriteJson(outDir, $"idle-connections-{DateTime.Now:yyyyMMdd-HHmmss}", r);
        return r.ConnectionErrors > n * o.Double("max-error-rate", 0.01, 0, 1) ? 1 : 0;
    }


}
