using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests.Followers;

/// <summary>
/// One thread with many followers, posted to at a steady rate: what the followers' inboxes cost the
/// cluster and how soon a comment reaches them. Signs up --followers users who follow the thread
/// (timed), opens the inbox of --watchers of them (a hub connection with <c>JoinInbox</c>, as the
/// inbox page), posts --rate comments/s for --warmup + --duration from --posters users who do not
/// follow it, then reports the inbox calls and grain messages per comment (the product's and
/// Orleans' counters on /metrics), every comment's latency to each watcher's inbox
/// (<see cref="InboxLatency"/>), and CPU and RSS per process. Without --url it starts Azurite and the
/// product (co-hosted), with --product-env.
/// </summary>
public static class FollowersScenario
{
    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var urls = o.Urls();
        var followerCount = o.Int("followers", 10_000, 1, 50_000);
        var watcherCount = o.Int("watchers", Math.Min(200, followerCount), 0, followerCount);
        var rate = o.Double("rate", 10, 0.1, 1_000);
        var duration = o.Duration("duration", TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));
        var warmup = o.Duration("warmup", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), allowZero: true);
        var idle = o.Duration("idle", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), allowZero: true);
        var drain = o.Duration("drain", TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(5));
        var posterCount = o.Int("posters", 2, 1, 100);
        var concurrency = o.Int("signup-concurrency", 16, 1, 512);
        var maxErrorRate = o.Double("max-error-rate", 0.001, 0, 1);
        var pids = o.Has("server-pid") ? new List<int> { o.Int("server-pid", 0, 1) } : [];
        var metricsUrls = o.Urls("metrics-urls");
        var productEnv = Targets.ProductEnv(o);
        var outDir = Scenarios.OutDir(o);
        if (urls is not null && productEnv.Count > 0) throw new UsageException("--product-env is for the product this tool starts: not with --url.");
        Scenarios.CheckUnused(o);

        await using var servers = new ServerSet();
        if (urls is null)
        {
            var logDir = Path.Combine(outDir, "logs");
            ui.Line($"starting Azurite and the product (co-hosted); logs in {logDir}");
            var azurite = await servers.Add(Targets.AzuriteAsync(logDir));
            var product = await servers.Add(Targets.ProductAsync(logDir, azurite.Port, extraEnv: productEnv));
            ProcessMeter.Register(product.Pid, "product");
            ProcessMeter.Register(azurite.Pid, "azurite");
            (urls, pids) = ([product.Url], [product.Pid, azurite.Pid]);
        }
        metricsUrls ??= urls;
        var run = Guid.NewGuid().ToString("N")[..6];

        // The thread and the posters: none of them follows it (auto-follow off), so every comment counts for every follower.
        string threadId;
        var posterTokens = new List<string>();
        for (var i = 0; i < posterCount; i++)
        {
            using var api = new ApiClient(urls[i % urls.Length]);
            posterTokens.Add(await api.SignUpAsync($"lp{run}{i}"));
            (await api.Http.PutAsJsonAsync("/api/me/settings", new { autoFollow = false }, ct)).EnsureSuccessStatusCode();
        }
        using (var api = new ApiClient(urls[0]))
        {
            await api.SignUpAsync($"lt{run}");
            (await api.Http.PutAsJsonAsync("/api/me/settings", new { autoFollow = false }, ct)).EnsureSuccessStatusCode();
            threadId = await api.CreateThreadAsync("a thread with many followers");
        }

        ui.Line($"signing up {followerCount} followers of thread {threadId}, {concurrency} at a time");
        using var signUp = new FollowerSignUp(urls, concurrency);
        var signUpClock = Stopwatch.StartNew();
        var tokens = await signUp.RunAsync($"lf{run}", followerCount, threadId, watcherCount, ui.Line, ct);
        var signUpSeconds = signUpClock.Elapsed.TotalSeconds;
        ui.Line($"{signUp.Done} followers in {signUpSeconds:0.0}s ({signUp.Done / signUpSeconds:0.0}/s); {signUp.Errors} failed ({signUp.LastError}), {signUp.Retries} retried");

        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var watchers = new List<InboxWatcher>();
        var posters = new List<HubConnection>();
        try
        {
            for (var i = 0; i < watcherCount; i++)
                if (tokens[i] is { } token) watchers.Add(new InboxWatcher(urls[i % urls.Length], http, token, threadId));
            await Parallel.ForEachAsync(watchers, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (w, t) => await w.StartAsync(t));
            for (var i = 0; i < posterTokens.Count; i++)
            {
                var c = ApiClient.Hub(urls[i % urls.Length], posterTokens[i]);
                posters.Add(c);
                await c.StartAsync(ct);
            }
            ui.Line($"{watchers.Count} inboxes open; idle for {idle.TotalSeconds}s (the cluster's grain messages without posts)");
            var idleStart = await FanOutCounters.ReadAsync(metricsUrls, ct);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(idle, ct);
            var idleCounters = await FanOutCounters.ReadAsync(metricsUrls, ct) - idleStart;
            var idleMessagesPerSec = idle > TimeSpan.Zero ? idleCounters.GrainMessages / idleClock.Elapsed.TotalSeconds : 0;

            ui.Line($"posting {rate}/s from {posters.Count} posters for {warmup.TotalSeconds}s warm-up + {duration.TotalSeconds}s measured");
            var posting = new FollowedPosting(posters, threadId);
            var start = Stopwatch.GetTimestamp();
            var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            var postTask = posting.RunAsync(rate, start, warmup + duration, ct);
            await Task.Delay(warmup, ct);
            var before = await FanOutCounters.ReadAsync(metricsUrls, ct);
            var meter = ProcessMeter.Start(pids);
            var window = Stopwatch.StartNew();
            while (!postTask.IsCompleted)
            {
                await Task.WhenAny(postTask, Task.Delay(1000, ct));
                meter.Sample();
                ui.Line($"t={window.Elapsed.TotalSeconds,4:0}s acks={posting.Acked.Count} errors={posting.Errors} inbox pushes={watchers.Sum(w => w.Pushes)} lowest count={(watchers.Count == 0 ? 0 : watchers.Min(w => w.LastCount))}");
            }
            await postTask;
            var seconds = window.Elapsed.TotalSeconds;
            var usage = meter.Stop();
            var acked = posting.Acked.Count;
            ui.Line($"draining (up to {drain.TotalSeconds}s): every inbox to count {acked}");
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < drain && watchers.Any(w => w.LastCount < acked)) await Task.Delay(100, ct);
            var counters = await FanOutCounters.ReadAsync(metricsUrls, ct) - before;
            var drainSeconds = seconds + deadline.Elapsed.TotalSeconds;

            var l = InboxLatency.Of(posting.Acked.ToArray(), [.. watchers.Select(w => w.Arrivals)], measureFrom);
            var netMessages = counters.GrainMessages - idleMessagesPerSec * drainSeconds;
            var result = new
            {
                settings = new { followers = followerCount, watchers = watchers.Count, rate, durationSeconds = duration.TotalSeconds, warmupSeconds = warmup.TotalSeconds, posters = posters.Count, signupConcurrency = concurrency, urls = urls.Select(u => u.ToString()), productEnv },
                threadId,
                signUp = new { followers = signUp.Done, seconds = Math.Round(signUpSeconds, 1), perSecond = Math.Round(signUp.Done / signUpSeconds, 1), errors = signUp.Errors, retries = signUp.Retries, lastError = signUp.LastError },
                measuredSeconds = Math.Round(seconds, 1), windowSeconds = Math.Round(drainSeconds, 1),
                postsSent = posting.Sent, acks = acked, postErrors = posting.Errors, lastPostError = posting.LastError,
                commentsInWindow = counters.Comments,
                inboxCalls = counters.InboxCalls, inboxCallsPerSec = Math.Round(counters.InboxCalls / drainSeconds, 1), inboxCallsPerComment = FanOutCounters.PerComment(counters.InboxCalls, counters.Comments),
                grainMessages = counters.GrainMessages, grainMessagesPerSec = Math.Round(counters.GrainMessages / drainSeconds, 1), grainMessagesPerComment = FanOutCounters.PerComment(counters.GrainMessages, counters.Comments),
                idleGrainMessagesPerSec = Math.Round(idleMessagesPerSec, 1), netGrainMessagesPerComment = FanOutCounters.PerComment((long)netMessages, counters.Comments),
                stateWrites = counters.StateWrites, stateWritesPerSec = Math.Round(counters.StateWrites / drainSeconds, 1),
                watcherPushes = watchers.Sum(w => w.Pushes), watcherReadErrors = watchers.Sum(w => w.Errors),
                deliveredToWatchers = l.Delivered, missing = l.Missing, overCounted = l.OverCounted, rounds = l.Rounds,
                latencyFromAckMs = Percentiles.Of(l.FromAck), latencyFromDueMs = Percentiles.Of(l.FromDue),
                newestFromAckMs = Percentiles.Of(l.NewestFromAck), roundSpreadMs = Percentiles.Of(l.RoundSpread),
                processes = usage,
            };
            var json = Report.WriteJson(outDir, $"followers-{DateTime.Now:yyyyMMdd-HHmmss}", result);
            ui.Line($"followers {signUp.Done} (signed up in {signUpSeconds:0}s), {watchers.Count} inboxes watched, {acked} comments acknowledged ({posting.Errors} failed)");
            ui.Line($"inbox calls: {counters.InboxCalls} ({result.inboxCallsPerSec}/s, {result.inboxCallsPerComment} per comment); grain messages: {result.grainMessagesPerSec}/s, "
                + $"{result.grainMessagesPerComment} per comment ({result.netGrainMessagesPerComment} above the idle {result.idleGrainMessagesPerSec}/s); grain-state writes {result.stateWritesPerSec}/s");
            ui.Line($"to the inbox, from the ack: p50 {result.latencyFromAckMs.P50} ms, p99 {result.latencyFromAckMs.P99} ms, max {result.latencyFromAckMs.Max} ms ({l.FromAck.TotalCount} comment deliveries); "
                + $"newest comment of a round p99 {result.newestFromAckMs.P99} ms; one round's spread over the watchers p50 {result.roundSpreadMs.P50} ms, max {result.roundSpreadMs.Max} ms ({l.Rounds} rounds)");
            foreach (var p in usage) ui.Line($"  {p.Role,-10} pid {p.Pid,7}: {p.CpuCores:0.00} cores, {p.RssMb:0} MB RSS");
            ui.Line($"results: {json}");
            var errors = signUp.Errors + posting.Errors;
            var errorRate = (double)errors / Math.Max(1, followerCount + posting.Sent);
            if (l.Missing > 0 || l.OverCounted > 0) ui.Line($"FAIL: {l.Missing} comment deliveries missing from the watched inboxes, counts {l.OverCounted} above the comments posted");
            if (errorRate > maxErrorRate) ui.Line($"FAIL: error rate {errorRate:P3} above --max-error-rate {maxErrorRate:P3} (sign-up: {signUp.LastError}; post: {posting.LastError})");
            return l.Missing == 0 && l.OverCounted == 0 && errorRate <= maxErrorRate ? 0 : 1;
        }
        finally
        {
            foreach (var w in watchers) await w.DisposeAsync();
            foreach (var p in posters) { try { await p.DisposeAsync(); } catch { /* closing at the end of a run */ } }
        }
    }
}

/// <summary>Posts to one thread at a fixed rate (open loop, round-robin over the posters), keeping each ack's seq and times.</summary>
public sealed class FollowedPosting(IReadOnlyList<HubConnection> posters, string threadId)
{
    private readonly List<Task> _inFlight = [];
    private long _sent;
    private long _errors;

    public System.Collections.Concurrent.ConcurrentBag<AckedComment> Acked { get; } = [];
    public long Sent => Interlocked.Read(ref _sent);
    public long Errors => Interlocked.Read(ref _errors);
    public string? LastError { get; private set; }

    /// <summary>The k-th post is due at start + k / rate; the last due before start + length.</summary>
    public async Task RunAsync(double rate, long start, TimeSpan length, CancellationToken ct)
    {
        var interval = Stopwatch.Frequency / rate;
        for (long k = 0; !ct.IsCancellationRequested; k++)
        {
            var due = start + (long)(k * interval);
            if (Stopwatch.GetElapsedTime(start, due) >= length) break;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct);
            _inFlight.Add(PostAsync(posters[(int)(k % posters.Count)], due, k));
        }
        await Task.WhenAll(_inFlight).WaitAsync(TimeSpan.FromSeconds(30), ct).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task PostAsync(HubConnection poster, long due, long n)
    {
        Interlocked.Increment(ref _sent);
        try
        {
            var response = await poster.InvokeAsync<PostResponse>("PostComment", threadId, 0L, $"followed thread comment {n}", Guid.NewGuid().ToString("N"));
            Acked.Add(new AckedComment(response.Seq, due, Stopwatch.GetTimestamp()));
        }
        catch (Exception e)
        {
            LastError = e.Message;
            Interlocked.Increment(ref _errors);
        }
    }
}
