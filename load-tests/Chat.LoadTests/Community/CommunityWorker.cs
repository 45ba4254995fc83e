using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HdrHistogram;

namespace Chat.LoadTests.Community;

/// <summary>What the coordinator hands every generator process: the workload and what was set up for it.</summary>
public sealed record CommunityPlan(CommunitySettings Settings, string[] Urls, string[] ThreadIds, string[] PosterTokens, int Workers);

/// <summary>One generator process's counts and histograms (encoded, <see cref="HistogramCodec"/>), for the coordinator to add up.</summary>
public sealed record WorkerReport
{
    public int Index { get; init; }
    public int Pid { get; init; }
    public long PostsSent { get; init; }
    public long PostsAcked { get; init; }
    public long PostErrors { get; init; }
    public long ConnectErrors { get; init; }
    public long OtherCalls { get; init; }
    public long OtherErrors { get; init; }
    public long Votes { get; init; }
    public long Typing { get; init; }
    public long FrontPageLoads { get; init; }
    public long Deliveries { get; init; }
    public long MeasuredDeliveries { get; init; }
    public long MeasuredAcks { get; init; }
    public long Expected { get; init; }
    public long Lost { get; init; }
    public long Duplicated { get; init; }
    public long OutOfOrder { get; init; }
    public long Missing { get; init; }
    public long GapFetches { get; init; }
    public long ReadersLeft { get; init; }
    public long ReadersArrived { get; init; }
    public int HottestReaders { get; init; }
    public int MaxInFlightPerPoster { get; init; }
    public long PostsWaitedForSlot { get; init; }
    public string? Latency { get; init; }
    public string? HottestLatency { get; init; }
    public string? AckLatency { get; init; }
    public string? LastError { get; init; }
    /// <summary>Posts sent again on another node after their connection failed (same clientId).</summary>
    public long RetriedPosts { get; init; }
    /// <summary>Times readers, idle pages and posters moved to another node (Reconnect or a closed connection).</summary>
    public long Moves { get; init; }
    /// <summary>Every post's outcome, with --scale only (the coordinator cuts them into the moves' windows).</summary>
    public PostTrace[]? Posts { get; init; }
}

/// <summary>A worker's progress line (cumulative counts, and the last second's delivery latencies encoded).</summary>
public sealed record WorkerProgress(long Deliveries, long Acks, long PostsSent, long Errors, int Connections, string? Interval);

/// <summary>
/// One generator process of the community scenario (`community-worker`, started by the coordinator):
/// its share of the readers, idle connections, posters and rates. It says "@ready" once connected,
/// starts at the Stopwatch time the coordinator sends ("go TICKS": one monotonic clock for all the
/// processes), prints "@p {json}" each second, and writes its <see cref="WorkerReport"/> at the end.
/// </summary>
public sealed class CommunityWorker : IAsyncDisposable
{
    private readonly CommunitySettings _s;
    private readonly CommunityPlan _plan;
    private readonly int _index;
    private volatile Uri[] _urls;
    private readonly List<PostTrace> _outcomes = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, PostTrace> _pending = new();
    private long _measureFrom;
    private readonly Zipf _zipf;
    // One generator per thread (Random is not thread-safe; the loops run at once), seeded from --seed.
    private readonly ThreadLocal<Random> _randoms;
    private int _randomCount;
    private Random _random => _randoms.Value!;
    private readonly Stats _stats = new();
    private readonly Stats _hot = new(); // readers of the hottest thread (rank 0)
    private readonly LeanTransport _transport;
    private readonly LeanTransport _idleTransport;
    private readonly List<LeanReader> _readers = [];
    private readonly List<LeanReader> _idle = [];
    private readonly List<CommunityPoster> _posters = [];
    private readonly long[] _lastAcked;
    private readonly int[] _lastAckedBy; // which poster wrote it: another one votes (nobody may vote on their own comment)
    private readonly HistogramBase _latency = Stats.NewHistogram(), _hotLatency = Stats.NewHistogram(), _ackLatency = Stats.NewHistogram();
    private long _otherCalls, _otherErrors, _votes, _typing, _frontPage, _left, _arrived, _nodeTurn, _postNumber;
    private long _leftExpected, _leftLost, _leftDuplicated, _leftOutOfOrder;
    private long _measuredDeliveriesAtStart, _measuredAcksAtStart, _measuredDeliveries, _measuredAcks;
    private string? _lastOtherError;

    private const int SourceAddressesPerTransport = 4;

    /// <summary>The first loopback source address (its last byte) of worker <paramref name="index"/>: 8 a worker, from 127.0.0.2; up to 31 workers.</summary>
    public static int SourceAddressesFor(int index) =>
        index < 31 ? 2 + index * 2 * SourceAddressesPerTransport : throw new ArgumentOutOfRangeException(nameof(index), "At most 31 generator processes have loopback source addresses of their own.");

    public CommunityWorker(CommunityPlan plan, int index)
    {
        _plan = plan;
        _s = plan.Settings;
        _index = index;
        _urls = [.. plan.Urls.Select(u => new Uri(u))];
        _zipf = new Zipf(plan.ThreadIds.Length, _s.ZipfS);
        _randoms = new ThreadLocal<Random>(() => new Random(_s.Seed * 1_000_003 + index * 1_000 + Interlocked.Increment(ref _randomCount)));
        _lastAcked = new long[plan.ThreadIds.Length];
        _lastAckedBy = new int[plan.ThreadIds.Length];
        var loopback = _urls.All(u => u.IsLoopback);
        // Source addresses of their own (127.0.0.N: each has ~28,000 ports for every connection from
        // it): 4 for this worker's readers and 4 for its idle pages, after those of the workers before it.
        var first = SourceAddressesFor(index);
        _transport = new LeanTransport(Share(_s.Readers) * 2 + 100, loopback, messagePack: _s.Reader == ReaderKinds.LeanMessagePack, firstSource: first);
        _idleTransport = new LeanTransport(Share(_s.Idle) + 100, loopback, firstSource: first + SourceAddressesPerTransport);
    }

    private int Share(int total) => total / _plan.Workers + (_index < total % _plan.Workers ? 1 : 0);

    private Uri NextNode()
    {
        var urls = _urls;
        return urls[(int)((Interlocked.Increment(ref _nodeTurn) * _plan.Workers + _index) % urls.Length)];
    }

    /// <summary>With --scale, clients move to the next current node when theirs goes away; otherwise they stay.</summary>
    private Func<Uri>? FailOver => _s.Scale is null ? null : NextNode;

    /// <summary>The coordinator's "nodes URL1,URL2": the web nodes now (one added, or one about to be removed); clients that connect or move from now on go to these.</summary>
    public void SetNodes(string line) =>
        _urls = [.. line.Split(' ', 2)[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u))];

    private Stats StatsOf(int thread) => thread == 0 ? _hot : _stats;

    /// <summary>`community-worker --plan FILE --index I --result FILE`: the process the coordinator starts.</summary>
    public static async Task<int> RunProcessAsync(Options o, CancellationToken ct)
    {
        var plan = JsonSerializer.Deserialize<CommunityPlan>(await File.ReadAllTextAsync(o.String("plan") ?? throw new UsageException("--plan is required."), ct), ApiClient.Json)!;
        var index = o.Int("index", 0, 0, 1_000);
        var resultPath = o.String("result") ?? throw new UsageException("--result is required.");
        Scenarios.CheckUnused(o);
        await using var worker = new CommunityWorker(plan, index);
        await worker.SetUpAsync(ct);
        Console.Out.WriteLine("@ready");
        Console.Out.Flush();
        var go = await Console.In.ReadLineAsync(ct) ?? throw new InvalidOperationException("the coordinator went away before the start");
        var start = long.Parse(go.Split(' ')[1], CultureInfo.InvariantCulture);
        // Later lines: "nodes URL1,URL2" when the coordinator scales the web nodes.
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync(ct) is { } line)
                if (line.StartsWith("nodes ", StringComparison.Ordinal)) worker.SetNodes(line);
        }, ct);
        var report = await worker.RunAsync(start, line => { Console.Out.WriteLine(line); Console.Out.Flush(); }, ct);
        await File.WriteAllTextAsync(resultPath, JsonSerializer.Serialize(report, ApiClient.Json), ct);
        Console.Out.WriteLine("@done");
        return 0;
    }

    public async Task SetUpAsync(CancellationToken ct)
    {
        var tokens = _plan.PosterTokens.Where((_, j) => j % _plan.Workers == _index).ToArray();
        foreach (var token in tokens) _posters.Add(new CommunityPoster(NextNode(), token, _stats, _s.PosterInFlight, FailOver));
        await Parallel.ForEachAsync(_posters, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (p, c) =>
        {
            try { await p.StartAsync(c); }
            catch (Exception e) when (e is not OperationCanceledException) { _stats.Error($"poster connect: {e.Message}", ref _stats.ConnectionErrors); }
        });
        for (var i = 0; i < Share(_s.Readers); i++)
        {
            var t = _zipf.Sample(_random);
            _readers.Add(new LeanReader(_transport, NextNode(), _plan.ThreadIds[t], StatsOf(t), failOver: FailOver));
        }
        // Idle pages: the front page and, signed in, the inbox; they never join a thread.
        for (var i = 0; i < Share(_s.Idle); i++)
        {
            var token = _plan.PosterTokens.Length == 0 ? null : _plan.PosterTokens[_random.Next(_plan.PosterTokens.Length)];
            byte[][] calls = token is null ? [LeanFrames.Invocation("f", "JoinFrontPage", "\"hot\"")]
                : [LeanFrames.Invocation("f", "JoinFrontPage", "\"hot\""), LeanFrames.Invocation("i", "JoinInbox")];
            _idle.Add(new LeanReader(_idleTransport, NextNode(), "", _stats, join: false, token: token, onConnect: calls, failOver: FailOver));
        }
        await Parallel.ForEachAsync(_readers.Concat(_idle), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (r, c) =>
        {
            try { await r.StartAsync(c); }
            catch (Exception e) when (e is not OperationCanceledException) { _stats.Error($"reader connect: {e.Message}", ref _stats.ConnectionErrors); }
        });
    }

    public async Task<WorkerReport> RunAsync(long start, Action<string> progress, CancellationToken ct)
    {
        var measureFrom = start + DueClock.Ticks(_s.Warmup);
        var end = measureFrom + DueClock.Ticks(_s.Duration);
        _stats.MeasureFrom = _hot.MeasureFrom = _measureFrom = measureFrom;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var share = 1.0 / _plan.Workers;
        var posting = Task.WhenAll(
            PostLoopAsync(start, end, _s.Rate * share, ct),
            EventLoopAsync(start, end, _s.Rate * _s.VotesPerPost * share, VoteAsync, ct),
            EventLoopAsync(start, end, _s.Rate * _s.TypingPerPost * share, TypingAsync, ct),
            EventLoopAsync(start, end, _s.Rate * _s.FrontPagePerPost * share, FrontPageAsync, ct),
            ChurnLoopAsync(end, ct));
        var reporting = ProgressLoopAsync(start, measureFrom, end, progress, stop.Token);
        await posting;
        // The last posts' acks, then every reader up to its thread's last seq.
        var deadline = Stopwatch.StartNew();
        while (_posters.Any(p => p.InFlight > 0) && deadline.Elapsed < _s.Drain) await Task.Delay(50, ct);
        var lastSeq = new Dictionary<string, long>();
        var http = _transport.Http(_urls[0]);
        while (deadline.Elapsed < _s.Drain && _readers.Any(r => !r.IsOpen) && _s.Scale is not null) await Task.Delay(100, ct); // readers still moving
        foreach (var id in _readers.Select(r => r.ThreadId).Distinct())
            lastSeq[id] = (await JsonSerializer.DeserializeAsync<JsonElement>(await http.GetStreamAsync($"/api/threads/{id}", ct), cancellationToken: ct)).GetProperty("lastSeq").GetInt64();
        List<LeanReader> readers;
        lock (_readers) readers = [.. _readers];
        while (deadline.Elapsed < _s.Drain && readers.Any(r => r.LastSeq < lastSeq[r.ThreadId])) await Task.Delay(100, ct);
        stop.Cancel();
        await reporting;
        Collect();
        long expected = _leftExpected, lost = _leftLost, dup = _leftDuplicated, ooo = _leftOutOfOrder, missing = 0;
        foreach (var r in readers)
        {
            var (m, l) = r.Verify(lastSeq[r.ThreadId]);
            expected += lastSeq[r.ThreadId] - r.StartedAfter;
            missing += m; lost += l; dup += r.Duplicated; ooo += r.OutOfOrder;
        }
        return new WorkerReport
        {
            Index = _index, Pid = Environment.ProcessId,
            PostsSent = _stats.PostsSent, PostsAcked = _stats.Acks, PostErrors = _stats.PostErrors,
            ConnectErrors = _stats.ConnectionErrors + _hot.ConnectionErrors, OtherCalls = _otherCalls, OtherErrors = _otherErrors,
            Votes = _votes, Typing = _typing, FrontPageLoads = _frontPage,
            Deliveries = _stats.Deliveries + _hot.Deliveries, MeasuredDeliveries = _measuredDeliveries, MeasuredAcks = _measuredAcks,
            Expected = expected, Lost = lost, Duplicated = dup, OutOfOrder = ooo, Missing = missing,
            GapFetches = _stats.GapFetches + _hot.GapFetches, ReadersLeft = _left, ReadersArrived = _arrived,
            HottestReaders = readers.Count(r => r.ThreadId == _plan.ThreadIds[0]),
            MaxInFlightPerPoster = _posters.Count == 0 ? 0 : _posters.Max(p => p.MaxInFlightSeen),
            PostsWaitedForSlot = _posters.Sum(p => p.WaitedForSlot),
            Latency = HistogramCodec.Encode(_latency), HottestLatency = HistogramCodec.Encode(_hotLatency), AckLatency = HistogramCodec.Encode(_ackLatency),
            LastError = _stats.LastError ?? _hot.LastError ?? _lastOtherError,
            RetriedPosts = _posters.Sum(p => p.RetriedPosts),
            Moves = _stats.Reconnects + _hot.Reconnects,
            Posts = _s.Scale is null ? null : Outcomes(),
        };
    }

    /// <summary>The recorders' latest values into the run's histograms; returns the last interval's deliveries.</summary>
    private HistogramBase Collect()
    {
        var interval = _stats.Delivery.GetIntervalHistogram();
        var hot = _hot.Delivery.GetIntervalHistogram();
        _latency.Add(interval);
        _latency.Add(hot);
        _hotLatency.Add(hot);
        _ackLatency.Add(_stats.Ack.GetIntervalHistogram());
        interval.Add(hot);
        return interval;
    }

    private static async Task WaitUntilAsync(long ticks, CancellationToken ct)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ticks);
        if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct);
    }

    /// <summary>Open loop: the k-th post is due at start + k / rate, to a thread drawn by popularity, from the posters in turn.</summary>
    private async Task PostLoopAsync(long start, long end, double rate, CancellationToken ct)
    {
        if (_posters.Count == 0 || rate <= 0) return;
        for (long k = 0; !ct.IsCancellationRequested; k++)
        {
            var due = DueClock.DueAt(start, rate, k);
            if (due >= end) break;
            await WaitUntilAsync(due, ct);
            var t = _zipf.Sample(_random);
            var n = (long)_index * 1_000_000_000 + Interlocked.Increment(ref _postNumber);
            var body = CommentBodies.Body(due, n, CommentBodies.Length(_random, _s.BodyMedian, _s.BodyMax), _random);
            var by = (int)(k % _posters.Count);
            if (_s.Scale is not null) _pending[n] = new PostTrace(t, Seconds(due), null, 1, false);
            _ = _posters[by].PostAsync(_plan.ThreadIds[t], due, body, seq => { Max(ref _lastAcked[t], seq); _lastAckedBy[t] = by; },
                _s.Scale is null ? null : (seq, endedAt, attempts) => Outcome(n, t, due, seq, endedAt, attempts));
        }
    }

    private void Outcome(long n, int thread, long due, long seq, long endedAt, int attempts)
    {
        _pending.TryRemove(n, out _);
        lock (_outcomes) _outcomes.Add(new PostTrace(thread, Seconds(due), Seconds(endedAt), attempts, seq == 0));
    }

    /// <summary>Every post sent, finished or not (those still waiting at the end without an End).</summary>
    private PostTrace[] Outcomes()
    {
        lock (_outcomes) return [.. _outcomes, .. _pending.Values];
    }

    private double Seconds(long ticks) => Math.Round((ticks - _measureFrom) / (double)Stopwatch.Frequency, 4);

    private static void Max(ref long at, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref at)) < value && Interlocked.CompareExchange(ref at, value, seen) != seen) { }
    }

    private async Task EventLoopAsync(long start, long end, double rate, Func<Task> call, CancellationToken ct)
    {
        if (rate <= 0) return;
        for (long k = 0; !ct.IsCancellationRequested; k++)
        {
            var due = DueClock.DueAt(start, rate, k);
            if (due >= end) break;
            await WaitUntilAsync(due, ct);
            _ = Other(call);
        }
    }

    private async Task Other(Func<Task> call)
    {
        Interlocked.Increment(ref _otherCalls);
        try { await call(); }
        catch (Exception e)
        {
            Interlocked.Increment(ref _otherErrors);
            _lastOtherError = e.Message;
        }
    }

    private CommunityPoster AnyPoster() => _posters[_random.Next(_posters.Count)];

    /// <summary>An up-vote on a thread's latest acknowledged comment (by popularity).</summary>
    private Task VoteAsync()
    {
        var t = _zipf.Sample(_random);
        var seq = Interlocked.Read(ref _lastAcked[t]);
        if (seq == 0 || _posters.Count < 2) return Task.CompletedTask;
        Interlocked.Increment(ref _votes);
        var voter = (Volatile.Read(ref _lastAckedBy[t]) + 1 + _random.Next(_posters.Count - 1)) % _posters.Count;
        return _posters[voter].CallAsync("Vote", _plan.ThreadIds[t], seq, true);
    }

    private Task TypingAsync()
    {
        if (_posters.Count == 0) return Task.CompletedTask;
        Interlocked.Increment(ref _typing);
        return AnyPoster().CallAsync("Typing", _plan.ThreadIds[_zipf.Sample(_random)], 0L);
    }

    /// <summary>A visitor loads the front page (the hot threads) over HTTP.</summary>
    private async Task FrontPageAsync()
    {
        Interlocked.Increment(ref _frontPage);
        using var response = await _transport.Http(NextNode()).GetAsync("/api/threads?sort=hot&limit=30");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Each second, --churn of the readers leave (each judged up to the last seq it held: nothing
    /// duplicated, out of order or only filled over HTTP) and as many arrive on threads drawn by
    /// popularity, each starting after the thread's last seq as a page opened now would.
    /// </summary>
    private async Task ChurnLoopAsync(long end, CancellationToken ct)
    {
        var perSecond = _s.Churn * Share(_s.Readers);
        if (perSecond <= 0) return;
        double owed = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(ct) && Stopwatch.GetTimestamp() < end)
        {
            owed += perSecond;
            var turns = (int)owed;
            owed -= turns;
            var changes = new List<Task>();
            for (var i = 0; i < turns; i++)
            {
                LeanReader? leaving = null;
                lock (_readers)
                    if (_readers.Count > 0)
                    {
                        var at = _random.Next(_readers.Count);
                        leaving = _readers[at];
                        _readers.RemoveAt(at);
                    }
                changes.Add(ReplaceAsync(leaving, _zipf.Sample(_random), ct));
            }
            await Task.WhenAll(changes);
        }
    }

    private async Task ReplaceAsync(LeanReader? leaving, int thread, CancellationToken ct)
    {
        if (leaving is not null)
        {
            await leaving.DisposeAsync();
            var (_, lost) = leaving.Verify(leaving.LastSeq);
            Interlocked.Add(ref _leftExpected, leaving.LastSeq - leaving.StartedAfter);
            Interlocked.Add(ref _leftLost, lost);
            Interlocked.Add(ref _leftDuplicated, leaving.Duplicated);
            Interlocked.Add(ref _leftOutOfOrder, leaving.OutOfOrder);
            Interlocked.Increment(ref _left);
        }
        var node = NextNode();
        var id = _plan.ThreadIds[thread];
        var stats = StatsOf(thread);
        try
        {
            var page = await JsonSerializer.DeserializeAsync<JsonElement>(await _transport.Http(node).GetStreamAsync($"/api/threads/{id}", ct), cancellationToken: ct);
            var reader = new LeanReader(_transport, node, id, stats, startAfter: page.GetProperty("lastSeq").GetInt64(), failOver: FailOver);
            await reader.StartAsync(ct);
            lock (_readers) _readers.Add(reader);
            Interlocked.Increment(ref _arrived);
        }
        catch (Exception e) when (e is not OperationCanceledException) { stats.Error($"arriving reader: {e.Message}", ref stats.ConnectionErrors); }
    }

    private async Task ProgressLoopAsync(long start, long measureFrom, long end, Action<string> progress, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var measuring = false;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = Stopwatch.GetTimestamp();
                var deliveries = _stats.Deliveries + _hot.Deliveries;
                if (!measuring && now >= measureFrom) { (_measuredDeliveriesAtStart, _measuredAcksAtStart, measuring) = (deliveries, _stats.Acks, true); }
                if (measuring && now < end) (_measuredDeliveries, _measuredAcks) = (deliveries - _measuredDeliveriesAtStart, _stats.Acks - _measuredAcksAtStart);
                var interval = Collect();
                int connections;
                lock (_readers) connections = _readers.Count(r => r.IsOpen);
                connections += _idle.Count(r => r.IsOpen) + _posters.Count(p => p.Connection.State == Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected);
                var line = new WorkerProgress(deliveries, _stats.Acks, _stats.PostsSent, _stats.PostErrors + _stats.ConnectionErrors + _hot.ConnectionErrors,
                    connections, interval.TotalCount == 0 ? null : HistogramCodec.Encode(interval));
                progress("@p " + JsonSerializer.Serialize(line, ApiClient.Json));
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _posters) await p.DisposeAsync();
        List<LeanReader> readers;
        lock (_readers) readers = [.. _readers];
        await Parallel.ForEachAsync(readers.Concat(_idle), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (r, _) => await r.DisposeAsync());
        await _transport.DisposeAsync();
        await _idleTransport.DisposeAsync();
    }
}
