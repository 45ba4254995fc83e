using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Chat.LoadTests.Chaos;

/// <summary>One try of one post: where, when (s since the start), and how it ended (ack, 503, status:N, timeout, connection).</summary>
public sealed record PostAttempt(string ClientId, int Attempt, string Node, double Start, double End, string Outcome, long Seq);

/// <summary>One post as its poster saw it: acknowledged (with its seq) or failed after its retries.</summary>
public sealed record PostOutcome(string ClientId, int BodyHash, double Sent, double End, long Seq, bool Acked, bool DefinitelyRefused, string LastOutcome, int Attempts);

/// <summary>
/// Posts over HTTP as a person in a browser does during an outage: each post has its own clientId;
/// when a web node does not answer, refuses the connection or answers 5xx/429 (the outcome is
/// unknown) the same post is sent again with the same clientId, through the next web node after a
/// pause, until the retry budget is spent. Every attempt and every final outcome is recorded for the checker.
/// </summary>
public sealed class ChaosPoster(IReadOnlyList<Uri> nodes, int firstNode, string token, RunClock clock, TimeSpan retryBudget, TimeSpan attemptTimeout) : IDisposable
{
    private const int MaxInFlight = 200;
    private static long _counter;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private readonly HttpClient _http = CreateClient(token, attemptTimeout);
    private readonly List<PostAttempt> _attempts = [];
    private readonly List<PostOutcome> _posts = [];
    private readonly List<Task> _running = [];
    private int _home = firstNode; // the node that answered last: a browser stays where it was sent until that fails

    public IReadOnlyList<PostAttempt> Attempts { get { lock (_attempts) return [.. _attempts]; } }
    public IReadOnlyList<PostOutcome> Posts { get { lock (_posts) return [.. _posts]; } }

    private static HttpClient CreateClient(string token, TimeSpan timeout)
    {
        // No pooled connection outlives a dead node for long; a fresh one is tried after a kill.
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), PooledConnectionLifetime = TimeSpan.FromSeconds(30) };
        var http = new HttpClient(handler) { Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>Posts at `rate`/s until `duration` has passed (open loop), then waits for the posts still retrying.</summary>
    public async Task RunAsync(string threadId, double rate, TimeSpan duration, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        for (long k = 0; !ct.IsCancellationRequested; k++)
        {
            var due = TimeSpan.FromSeconds(k / rate);
            if (due >= duration) break;
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct).ContinueWith(_ => { });
            await _inFlight.WaitAsync(ct).ContinueWith(_ => { });
            if (ct.IsCancellationRequested) break;
            var post = PostAsync(threadId);
            lock (_running) _running.Add(post);
        }
        Task[] running;
        lock (_running) running = [.. _running];
        await Task.WhenAll(running);
    }

    private async Task PostAsync(string threadId)
    {
        try
        {
            var clientId = Guid.NewGuid().ToString("N");
            var body = Stamp.Body(Interlocked.Increment(ref _counter));
            var sent = clock.Seconds;
            var node = _home;
            string outcome = "";
            for (var attempt = 1; ; attempt++)
            {
                var url = nodes[node % nodes.Count];
                var begun = clock.Seconds;
                var (result, seq, retryAfter) = await SendAsync(url, threadId, body, clientId);
                outcome = result;
                lock (_attempts) _attempts.Add(new PostAttempt(clientId, attempt, url.Authority, begun, clock.Seconds, outcome, seq));
                var refused = outcome.StartsWith("status:") && outcome != "status:429";
                if (outcome == "ack") _home = node % nodes.Count;
                if (outcome == "ack" || refused || clock.Seconds - sent >= retryBudget.TotalSeconds)
                {
                    lock (_posts) _posts.Add(new PostOutcome(clientId, ReaderRecord.BodyHash(body), sent, clock.Seconds, seq, outcome == "ack", refused, outcome, attempt));
                    return;
                }
                // Another node next (a load balancer would send a retry anywhere), after Retry-After or a
                // growing, jittered pause (0.2 s doubling to 2 s), as the site's page does: hundreds of
                // posts waiting on one outage must not come back in step.
                node++;
                var backoff = TimeSpan.FromSeconds(Math.Min(2, 0.2 * Math.Pow(2, attempt - 1)) * (0.5 + Random.Shared.NextDouble()));
                await Task.Delay(retryAfter > backoff ? retryAfter : backoff);
            }
        }
        finally { _inFlight.Release(); }
    }

    private async Task<(string Outcome, long Seq, TimeSpan RetryAfter)> SendAsync(Uri node, string threadId, string body, string clientId)
    {
        try
        {
            using var response = await _http.PostAsJsonAsync(new Uri(node, $"/api/threads/{threadId}/comments"), new { parentSeq = 0, body, clientId });
            if (response.IsSuccessStatusCode)
                return ("ack", (await response.Content.ReadFromJsonAsync<PostResponse>(ApiClient.Json))!.Seq, TimeSpan.Zero);
            // Retry-After is what a browser honours; at most a second, so that a short outage stays short.
            var retryAfter = response.Headers.RetryAfter?.Delta is { } d ? TimeSpan.FromTicks(Math.Min(d.Ticks, TimeSpan.TicksPerSecond)) : TimeSpan.FromMilliseconds(200);
            var status = (int)response.StatusCode;
            return (status == (int)HttpStatusCode.ServiceUnavailable ? "503" : status >= 500 ? $"5xx:{status}" : $"status:{status}", 0, retryAfter);
        }
        catch (TaskCanceledException) { return ("timeout", 0, TimeSpan.Zero); }
        catch (HttpRequestException) { return ("connection", 0, TimeSpan.Zero); }
    }

    public void Dispose() => _http.Dispose();
}
