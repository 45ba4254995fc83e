using System.Diagnostics;

namespace Chat.LoadTests;

/// <param name="Warmup">Posting before the measured Duration (a third each at 1/4, 1/2 and all of the
/// rate): latencies and rates of that time are not counted (JIT, pools and the GC heap of a fresh
/// server and generator settle in it), the correctness checks cover it like the rest.</param>
public sealed record LoadSettings(int Readers, int Posters, int Threads, double Rate, TimeSpan Duration, long MaxPosts, TimeSpan Drain, TimeSpan Warmup)
{
    /// <summary>Which reader (<see cref="ReaderKinds"/>).</summary>
    public string Reader { get; init; } = ReaderKinds.DotNet;
}

/// <summary>What one run against one target measured (written as JSON to --out).</summary>
public sealed record RunResult
{
    public required string Scenario { get; init; }
    public required string Target { get; init; }
    public required string[] Urls { get; init; }
    public required LoadSettings Settings { get; init; }
    public double Seconds { get; init; }
    public double WarmupSeconds { get; init; }
    public long PostsSent { get; init; }
    public long Acks { get; init; }
    public long PostErrors { get; init; }
    public long ConnectionErrors { get; init; }
    public long Reconnects { get; init; }
    public long Deliveries { get; init; }
    public long Pushes { get; init; }
    public long Expected { get; init; }
    public double DeliveriesPerSec { get; init; }
    public double AcksPerSec { get; init; }
    public required Percentiles Latency { get; init; }
    public required Percentiles AckLatency { get; init; }
    public long Lost { get; init; }
    public long Duplicated { get; init; }
    public long OutOfOrder { get; init; }
    public long Missing { get; init; }
    public long JoinRepeats { get; init; }
    public long GapFetches { get; init; }
    public double ErrorRate { get; init; }
    public string? LastError { get; init; }
    public Sample[] Timeline { get; init; } = [];
    /// <summary>CPU of the generator and of the target's processes over the measured time (null: not measured).</summary>
    public CpuShare? Cpu { get; init; }
    /// <summary>The product's own breakdown of where a post's time went over the measured time (<see cref="PostStageReport"/>); empty for targets without it.</summary>
    public StageTime[] Stages { get; init; } = [];
    /// <summary>The most posts any one poster had awaiting their ack at once (of at most <see cref="Poster.MaxInFlight"/>): at the cap, the posters set the pace, not the target.</summary>
    public int MaxInFlightPerPoster { get; init; }
    /// <summary>Posts that left over 10 ms after they were due (their latency counts from when they were due).</summary>
    public long PostsHeldBack { get; init; }
    /// <summary>CPU and RSS of each process over the measured time: the target's (web, silo, azurite, redis) and the generator's.</summary>
    public ProcessUsage[] Processes { get; init; } = [];
    /// <summary>Generator CPU per delivery, in microseconds (deliveries are what a fan-out run costs both sides).</summary>
    public double? GeneratorMicrosPerDelivery => Cpu is { } c && DeliveriesPerSec > 0 ? Math.Round(c.GeneratorCores * 1e6 / DeliveriesPerSec, 2) : null;
    /// <summary>The target's CPU per delivery, in microseconds (with its storage); null when not known.</summary>
    public double? ServerMicrosPerDelivery => Cpu?.ServerCores is { } s && DeliveriesPerSec > 0 ? Math.Round(s * 1e6 / DeliveriesPerSec, 2) : null;
    public bool Correct => Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && Missing == 0;
}

/// <summary>
/// One load run: users, threads, readers and posters on the target's nodes (round-robin), then one or
/// more posting phases, then a drain and the per-reader verification.
/// </summary>
public sealed class LoadRun : IAsyncDisposable
{
    private readonly Uri[] _nodes;
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    public Stats Stats { get; } = new();
    public List<IThreadReader> Readers { get; } = [];
    private LeanTransport? _lean;
    public List<Poster> Posters { get; } = [];
    public string[] ThreadIds { get; private set; } = [];

    public LoadRun(Uri[] nodes) => _nodes = nodes;

    public async Task SetUpAsync(int threads, int readers, int posters, Action<string> progress, CancellationToken ct, string readerKind = ReaderKinds.DotNet)
    {
        progress($"signing up {posters} posters, creating {threads} thread(s)");
        var tokens = new string[Math.Max(posters, 1)];
        await Parallel.ForEachAsync(Enumerable.Range(0, tokens.Length), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, _) =>
        {
            using var api = new ApiClient(_nodes[i % _nodes.Length]);
            tokens[i] = await api.SignUpAsync($"lt{_tag}p{i}");
        });
        using (var api = new ApiClient(_nodes[0]))
        {
            await api.SignUpAsync($"lt{_tag}owner");
            ThreadIds = new string[threads];
            for (var t = 0; t < threads; t++) ThreadIds[t] = await api.CreateThreadAsync($"Load test {_tag} #{t + 1}");
        }
        if (ReaderKinds.IsLean(readerKind))
        {
            _lean = new LeanTransport(readers, _nodes.All(n => n.IsLoopback), messagePack: readerKind == ReaderKinds.LeanMessagePack);
            progress($"connecting {readers} lean readers from {_lean.SourceAddresses} source address(es)");
        }
        else progress($"connecting {readers} readers");
        for (var i = 0; i < readers; i++)
            Readers.Add(_lean is null ? new Reader(_nodes[i % _nodes.Length], ThreadIds[i % threads], Stats) : new LeanReader(_lean, _nodes[i % _nodes.Length], ThreadIds[i % threads], Stats));
        var connected = 0;
        await Parallel.ForEachAsync(Readers, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (r, c) =>
        {
            try { await r.StartAsync(c); }
            catch (Exception e) when (e is not OperationCanceledException) { Stats.Error($"reader connect: {e.Message}", ref Stats.ConnectionErrors); }
            var n = Interlocked.Increment(ref connected);
            if (n % 250 == 0) progress($"connected {n}/{readers} readers");
        });
        for (var i = 0; i < posters; i++) Posters.Add(new Poster(_nodes[i % _nodes.Length], tokens[i], Stats));
        foreach (var p in Posters) await p.StartAsync(ct);
    }

    /// <summary>Posts at `rate`/s in total for `duration`, sampling once a second.</summary>
    /// <param name="steady">Gets the latencies of every second but the first (which still carries what came before).</param>
    public async Task<Sample[]> PostPhaseAsync(double rate, TimeSpan duration, long maxPosts, double t0, Action<Sample> onSample, CancellationToken ct,
        HdrHistogram.HistogramBase? steady = null)
    {
        var samples = new List<Sample>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var perPoster = rate / Posters.Count;
        var posting = Posters.Select(p => p.RunAsync(ThreadIds, perPoster, duration, Math.Max(1, maxPosts / Posters.Count), stop.Token)).ToArray();
        var all = Task.WhenAll(posting);
        var sw = Stopwatch.StartNew();
        long lastDeliveries = Interlocked.Read(ref Stats.Deliveries), lastAcks = Interlocked.Read(ref Stats.Acks);
        var lastT = 0.0;
        Stats.Delivery.Reset();
        while (!all.IsCompleted || sw.Elapsed < duration)
        {
            await Task.WhenAny(all, Task.Delay(1000, ct));
            if (all.IsCompleted && sw.Elapsed.TotalSeconds - lastT < 0.5) break;
            var t = sw.Elapsed.TotalSeconds;
            long d = Interlocked.Read(ref Stats.Deliveries), a = Interlocked.Read(ref Stats.Acks);
            var h = Stats.Delivery.GetIntervalHistogram();
            var s = new Sample(Math.Round(t0 + t, 2), Math.Round((d - lastDeliveries) / (t - lastT)), Math.Round((a - lastAcks) / (t - lastT)),
                h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(50) / 1000.0, h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(99) / 1000.0,
                Interlocked.Read(ref Stats.PostErrors) + Interlocked.Read(ref Stats.ConnectionErrors));
            AllDelivery.Add(h);
            if (samples.Count > 0) steady?.Add(h);
            samples.Add(s);
            onSample(s);
            (lastDeliveries, lastAcks, lastT) = (d, a, t);
            if (sw.Elapsed > duration + TimeSpan.FromSeconds(30)) { stop.Cancel(); break; } // bounded even if the server stalls
        }
        await all;
        return [.. samples];
    }

    /// <summary>
    /// Forgets the latencies and counts rates from now on (after a warm-up); the correctness checks
    /// still cover everything. Returns the deliveries and acks so far, which the rates subtract.
    /// </summary>
    public (long Deliveries, long Acks) StartMeasuring()
    {
        // Posts due from now on: a warm-up post delivered late is not counted in latency (it used to be, after the reset below).
        Stats.MeasureFrom = Stopwatch.GetTimestamp();
        AllDelivery.Reset();
        Stats.Ack.Reset();
        return (Interlocked.Read(ref Stats.Deliveries), Interlocked.Read(ref Stats.Acks));
    }

    /// <summary>Latency of every delivery of the run (the phases' interval histograms added up).</summary>
    public HdrHistogram.HistogramBase AllDelivery { get; } = Stats.NewHistogram();

    /// <summary>Waits for acks and deliveries to settle, then checks each reader against its thread's 1..N.</summary>
    public async Task<(long Expected, long Lost, long Duplicated, long OutOfOrder, long Missing, long JoinRepeats)> DrainAndVerifyAsync(TimeSpan drain)
    {
        foreach (var p in Posters) await p.DrainAsync(drain);
        var lastSeq = new Dictionary<string, long>();
        using (var api = new ApiClient(_nodes[0]))
            foreach (var id in ThreadIds) lastSeq[id] = await api.LastSeqAsync(id);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < drain && Readers.Any(r => r.LastSeq < lastSeq[r.ThreadId])) await Task.Delay(100);
        // Everything that arrived in the meantime (the last deliveries) counts in the run's latency.
        AllDelivery.Add(Stats.Delivery.GetIntervalHistogram());
        long lost = 0, dup = 0, ooo = 0, missing = 0, repeats = 0;
        foreach (var r in Readers)
        {
            var (m, l) = r.Verify(lastSeq[r.ThreadId]);
            missing += m; lost += l; dup += r.Duplicated; ooo += r.OutOfOrder; repeats += r.JoinRepeats;
        }
        var expected = Readers.Sum(r => lastSeq[r.ThreadId]);
        return (expected, lost, dup, ooo, missing, repeats);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in Posters) await p.DisposeAsync();
        await Parallel.ForEachAsync(Readers, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (r, _) => await r.DisposeAsync());
        if (_lean is not null) await _lean.DisposeAsync();
    }
}
