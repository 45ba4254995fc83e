using System.Runtime.InteropServices;

namespace Chat.LoadTests.Chaos;

/// <summary>
/// `chaos`: starts a cluster of its own, puts hot threads under load through every web node, plays a
/// seeded (or given) fault schedule, then checks the whole history. Exit 1 when an invariant fails.
/// Everything it started or made is removed at the end, also after an exception, Ctrl-C or SIGTERM.
/// </summary>
public static class ChaosScenario
{
    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken cancel)
    {
        var settings = ChaosSettings.From(o);
        var seed = o.Has("seed") ? o.Int("seed", 0) : Random.Shared.Next(1, 1_000_000);
        var explicitSchedule = o.String("schedule");
        var (everyMin, everyMax) = FaultSchedule.ParseEvery(o.String("fault-every", "15s..30s")!);
        var kinds = FaultSchedule.ParseKinds(o.String("faults", string.Join(",", FaultSchedule.Kinds))!);
        var outDir = Scenarios.OutDir(o);
        Scenarios.CheckUnused(o);

        var whyNot = settings.Namespaces ? NetworkLab.WhyNot() : "--no-netns";
        if (whyNot is not null && explicitSchedule is null) kinds = [.. kinds.Where(k => !k.StartsWith("partition"))];
        if (kinds.Length == 0) throw new UsageException("--faults: only partitions were chosen, and partitions cannot run here (" + whyNot + ").");
        var schedule = explicitSchedule is not null ? FaultSchedule.Parse(explicitSchedule)
            : FaultSchedule.Generate(seed, settings.Duration, everyMin, everyMax, kinds, settings.Silos, settings.Webs, quiet: TimeSpan.FromSeconds(15));
        foreach (var f in schedule.Where(f => f.End > settings.Duration))
            throw new UsageException($"--schedule: '{f}' ends after --duration {settings.Duration.TotalSeconds:0}s.");
        var scheduleText = FaultSchedule.Format(schedule);
        var replay = $"chaos {settings.Arguments} --schedule \"{scheduleText}\"";
        ui.Line(explicitSchedule is null ? $"seed {seed}: {schedule.Count} fault(s), every {everyMin.TotalSeconds:0}-{everyMax.TotalSeconds:0}s of {string.Join(", ", kinds)}" : $"given schedule: {schedule.Count} fault(s)");
        ui.Line($"schedule: {scheduleText}");
        ui.Line($"replay:   {replay}");
        if (whyNot is not null) ui.Line($"partitions skipped: {whyNot}; the processes run on loopback.");

        // Ctrl-C arrives as `cancel`; SIGTERM (a CI job cancelled, `kill`) must clean up too.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        var ct = cts.Token;
        var name = $"chaos-{DateTime.Now:yyyyMMdd-HHmmss}";
        var logDir = Path.Combine(outDir, name + "-logs");
        NetworkLab? lab = null;
        ChaosCluster? cluster = null;
        var readers = new List<(Reader Reader, ReaderRecord Record)>();
        var posters = new List<ChaosPoster>();
        try
        {
            if (whyNot is null) lab = await NetworkLab.CreateAsync(ui.Line);
            else if (NetworkLab.IsRoot) await NetworkLab.SweepAsync(ui.Line);
            if (lab is not null) ui.Line($"network: bridge {lab.Bridge} {lab.BridgeIp}/24, one namespace per process");
            cluster = await ChaosCluster.StartAsync(settings.Silos, settings.Webs, logDir, lab, settings.Env, ui.Line);
            var webs = cluster.Webs.Select(w => w.Url).ToArray();
            var clock = new RunClock();
            var (threads, tokens) = await SetUpAsync(webs, settings, ui);
            var stats = new Stats();
            for (var i = 0; i < settings.Readers; i++)
            {
                var record = new ReaderRecord(clock);
                readers.Add((new Reader(webs[i % webs.Length], threads[i % threads.Length], stats, failover: webs, record: record), record));
            }
            await Parallel.ForEachAsync(readers, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (r, c) => await r.Reader.StartAsync(c));
            ui.Line($"{readers.Count} readers joined, over {webs.Length} web node(s)");
            clock.Restart();
            for (var i = 0; i < settings.Posters; i++)
                posters.Add(new ChaosPoster(webs, i % webs.Length, tokens[i], clock, settings.RetryBudget, settings.AttemptTimeout));

            // Posting and faults start together; the clock's zero is the start of posting.
            var injector = new FaultInjector(cluster, threads[0], clock, ui.Line);
            var posting = Task.WhenAll(posters.Select((p, i) => p.RunAsync(threads[i % threads.Length], settings.Rate / settings.Posters, settings.Duration, ct)));
            var faulting = injector.RunAsync(schedule, ct);
            using var supervising = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var supervisor = injector.SuperviseAsync(supervising.Token);
            var progress = new Progress(clock, ui, () =>
            {
                var attempts = posters.SelectMany(p => p.Attempts).ToList();
                var recent = attempts.Where(a => a.End > clock.Seconds - 5).ToList();
                return $"acks/s={recent.Count(a => a.Outcome == "ack") / 5.0,5:0.0} failed attempts/s={recent.Count(a => a.Outcome != "ack") / 5.0,4:0.0} " +
                    $"deliveries={stats.Deliveries} reconnects={stats.Reconnects} up: {string.Join(" ", cluster.All.Select(n => n.Name + (n.IsUp ? "" : "(down)")))}";
            });
            using (progress)
            {
                await posting;
                var postingEnd = clock.Seconds;
                await faulting;
                supervising.Cancel();
                await supervisor;
                ui.Line($"posting done at {postingEnd:0}s; waiting up to {settings.CatchUp.TotalSeconds:0}s for every reader to catch up");
                var stored = new Dictionary<string, List<StoredRow>>();
                var deadline = DateTime.UtcNow + settings.CatchUp;
                foreach (var t in threads)
                {
                    stored[t] = await ChaosChecker.ReadStoredAsync(cluster.StorageConnectionString, t);
                    var last = stored[t].Select(r => r.Seq).DefaultIfEmpty(0).Max();
                    while (readers.Any(r => r.Reader.ThreadId == t && r.Reader.LastSeq < last) && DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
                        await Task.Delay(250);
                }
                ct.ThrowIfCancellationRequested();
                progress.Dispose();
                var result = Check(threads, stored, posters, readers, injector, settings, stats, explicitSchedule is null ? seed : null, scheduleText, replay, lab is not null)
                    with
                    {
                        ProcessIds = [.. cluster.ProcessIds],
                        StuckReaders = [.. readers.Select((r, i) => (r.Reader, i)).Where(x => x.Reader.LastSeq < stored[x.Reader.ThreadId].Select(s => s.Seq).DefaultIfEmpty(0).Max())
                            .Take(20).Select(x => $"reader {x.i}: {x.Reader.Describe()}")],
                    };
                return Finish(result, posters, readers, outDir, name, ui);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ui.Line("cancelled: cleaning up");
            return 130;
        }
        finally
        {
            // In parallel: a reader caught mid-failover waits for its handshake to time out.
            await Parallel.ForEachAsync(readers, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (r, _) => await r.Reader.DisposeAsync());
            foreach (var p in posters) p.Dispose();
            if (cluster is not null) await cluster.DisposeAsync();
            if (lab is not null) await lab.DisposeAsync();
            ui.Line($"processes stopped; their logs: {logDir}");
        }
    }

    private static async Task<(string[] Threads, string[] Tokens)> SetUpAsync(Uri[] webs, ChaosSettings settings, Ui ui)
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var tokens = new string[settings.Posters];
        for (var i = 0; i < tokens.Length; i++)
        {
            using var api = new ApiClient(webs[i % webs.Length]);
            tokens[i] = await api.SignUpAsync($"chaos{tag}p{i}");
        }
        using var owner = new ApiClient(webs[0]);
        await owner.SignUpAsync($"chaos{tag}owner");
        var threads = new string[settings.Threads];
        for (var t = 0; t < threads.Length; t++) threads[t] = await owner.CreateThreadAsync($"Chaos {tag} #{t + 1}");
        ui.Line($"{tokens.Length} poster(s) signed up, {threads.Length} thread(s): {string.Join(", ", threads)}");
        return (threads, tokens);
    }

    private static ChaosResult Check(string[] threads, Dictionary<string, List<StoredRow>> stored, List<ChaosPoster> posters,
        List<(Reader Reader, ReaderRecord Record)> readers, FaultInjector injector, ChaosSettings settings, Stats stats,
        int? seed, string schedule, string replay, bool partitions)
    {
        var attempts = posters.SelectMany(p => p.Attempts).ToList();
        var posts = posters.SelectMany(p => p.Posts).ToList();
        var invariants = new List<Invariant>();
        List<FaultImpact> impacts = [];
        foreach (var t in threads)
        {
            // Posters and readers of this thread: poster i posts to thread i % threads, reader likewise.
            var ofThread = posters.Where((_, i) => threads[i % threads.Length] == t).ToList();
            var given = readers.Where(r => r.Reader.ThreadId == t).Select(r => r.Record.Snapshot()).ToList();
            var found = ChaosChecker.Invariants(stored[t], [.. ofThread.SelectMany(p => p.Posts)], [.. ofThread.SelectMany(p => p.Attempts)], given);
            invariants = invariants.Count == 0 ? found
                : [.. invariants.Zip(found, (a, b) => new Invariant(a.Name, a.Violations + b.Violations, [.. a.Examples, .. b.Examples]))];
            if (t == threads[0]) impacts = ChaosChecker.Impacts(injector.Records, [.. ofThread.SelectMany(p => p.Attempts)], [.. ofThread.SelectMany(p => p.Posts)], given, settings.Slow);
        }
        return new ChaosResult
        {
            Schedule = schedule, Seed = seed, Replay = replay, Settings = settings, Partitions = partitions,
            Posts = posts.Count, Acked = posts.Count(p => p.Acked), PostErrors = posts.Count(p => !p.Acked),
            Attempts = attempts.Count, FailedAttempts = attempts.Count(a => a.Outcome != "ack"),
            Stored = stored.Values.Sum(s => s.Count),
            ReadersCaughtUp = readers.Count(r => r.Reader.LastSeq >= stored[r.Reader.ThreadId].Select(s => s.Seq).DefaultIfEmpty(0).Max()),
            Reconnects = stats.Reconnects, PushedTwice = readers.Sum(r => r.Reader.Duplicated), PushedOutOfOrder = readers.Sum(r => r.Reader.OutOfOrder),
            Invariants = [.. invariants], Faults = [.. impacts],
        };
    }

    private static int Finish(ChaosResult result, List<ChaosPoster> posters, List<(Reader Reader, ReaderRecord Record)> readers, string outDir, string name, Ui ui)
    {
        ChaosReport.Write(result, ui);
        var json = Report.WriteJson(outDir, name, result);
        string? png = null;
        try { png = ChaosReport.WritePng(outDir, name, result, [.. posters.SelectMany(p => p.Attempts)], [.. readers.Select(r => r.Record.Snapshot())]); }
        catch (Exception e) { ui.Line($"PNG report failed: {e.Message}"); }
        ui.Line($"results: {json}" + (png is null ? "" : $"  timeline: {png}"));
        ui.Line($"replay:  {result.Replay}");
        foreach (var stuck in result.StuckReaders) ui.Line($"not caught up: {stuck}");
        if (!result.Passed) ui.Line($"FAIL: {string.Join("; ", result.Invariants.Where(i => !i.Holds).Select(i => $"{i.Name}: {i.Violations}"))}");
        return result.Passed ? 0 : 1;
    }

    /// <summary>A progress line every 5 s while the run goes on.</summary>
    private sealed class Progress : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Progress(RunClock clock, Ui ui, Func<string> line) => _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result))
                ui.Line($"{clock.Seconds,6:0.0}s {line()}");
        });

        public void Dispose() => _stop.Cancel();
    }
}
