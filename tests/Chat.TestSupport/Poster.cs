using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.TestSupport;

/// <summary>
/// One person posting top-level comments to one thread, over a hub connection or the HTTP API, in
/// one of two ways: <see cref="PostAsync"/> keeps going through failures the way a careful client
/// does (a failed post is retried with the same clientId until it is acknowledged, so nothing is
/// stored twice); <see cref="PostUntilStoppedAsync"/> posts each comment once, with a fresh clientId
/// and no retries, and records what the poster saw (every error the web node lets through).
/// </summary>
public sealed class Poster
{
    private readonly string _name;
    private readonly Func<string, string, Task<long>> _send;
    private readonly ConcurrentQueue<PostOutcome> _outcomes = new();
    private int _failures;
    private int _started;

    /// <summary>Posts over the reader's hub connection (it waits for a connection while the reader moves between nodes).</summary>
    public Poster(ThreadReader connection, string name) : this(name, (body, clientId) => connection.PostAsync(0, body, clientId)) { }

    private Poster(string name, Func<string, string, Task<long>> send)
    {
        _name = name;
        _send = send;
    }

    /// <summary>Posts through the HTTP API; a refusal (non-2xx) is an HttpRequestException with its status and body.</summary>
    public static Poster OverHttp(ChatApiClient client, string threadId, string name) => new(name, async (body, clientId) =>
    {
        using var response = await client.PostCommentAsync(threadId, 0, body, clientId);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
    });

    public ConcurrentDictionary<long, string> Acknowledged { get; } = new();

    /// <summary>Failed attempts (each retry that failed counts).</summary>
    public int Failures => _failures;

    /// <summary>Posts started: once PostAsync returned, each of them is acknowledged.</summary>
    public int Started => _started;

    /// <summary>What the last failed attempt threw (null: none failed), to say why in a test's output.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The slowest post, retries included: how long posting stalled at worst.</summary>
    public TimeSpan SlowestPost { get; private set; }

    /// <summary>Each post of <see cref="PostUntilStoppedAsync"/> as the poster saw it.</summary>
    public IReadOnlyCollection<PostOutcome> Outcomes => _outcomes;

    /// <summary>
    /// Posts count comments, at most inFlight at once, starting one every <paramref name="pace"/> at
    /// most (zero: as fast as they are acknowledged; the production limits allow a user 10 a second);
    /// each retried until acknowledged or the deadline passes. Once <paramref name="stop"/> is
    /// cancelled no new post starts; those started still go on until acknowledged.
    /// </summary>
    public async Task PostAsync(int count, int inFlight, Stopwatch clock, TimeSpan deadline, TimeSpan pace = default, CancellationToken stop = default)
    {
        using var slots = new SemaphoreSlim(inFlight);
        var posts = new List<Task>();
        for (var i = 1; i <= count && !stop.IsCancellationRequested; i++)
        {
            await slots.WaitAsync();
            var n = i;
            posts.Add(Task.Run(async () =>
            {
                try { await PostOneAsync($"{_name} {n}", $"{_name}-{n}", clock, deadline); }
                finally { slots.Release(); }
            }));
            Interlocked.Increment(ref _started);
            if (pace > TimeSpan.Zero) await Task.Delay(pace, CancellationToken.None);
        }
        await Task.WhenAll(posts);
    }

    /// <summary>
    /// One post after another, <paramref name="interval"/> apart, until <paramref name="stop"/> is
    /// cancelled: each sent once, with a fresh clientId; a refusal or a failed request is recorded
    /// in <see cref="Outcomes"/>, not retried.
    /// </summary>
    public async Task PostUntilStoppedAsync(Stopwatch clock, TimeSpan interval, CancellationToken stop)
    {
        for (var i = 1; !stop.IsCancellationRequested; i++)
        {
            var body = $"{_name} {i}";
            var sentAt = clock.Elapsed;
            Interlocked.Increment(ref _started);
            long? seq = null;
            string? error = null;
            try
            {
                seq = await _send(body, $"{_name}-{i}");
                Acknowledged[seq.Value] = body;
            }
            catch (HttpRequestException e)
            {
                error = e.Message;
                Failed(e);
            }
            var outcome = new PostOutcome(body, sentAt, clock.Elapsed, seq, error);
            Took(outcome.DoneAt - outcome.SentAt);
            _outcomes.Enqueue(outcome);
            await Task.Delay(interval, CancellationToken.None);
        }
    }

    private async Task PostOneAsync(string body, string clientId, Stopwatch clock, TimeSpan deadline)
    {
        var started = clock.Elapsed;
        try { await PostUntilAcknowledgedAsync(body, clientId, clock, deadline); }
        finally { Took(clock.Elapsed - started); }
    }

    private async Task PostUntilAcknowledgedAsync(string body, string clientId, Stopwatch clock, TimeSpan deadline)
    {
        while (true)
        {
            try
            {
                var seq = await _send(body, clientId);
                Acknowledged[seq] = body;
                return;
            }
            catch (Exception e) when (clock.Elapsed < deadline)
            {
                Failed(e);
                await Task.Delay(100); // back off before retrying the same clientId
            }
        }
    }

    private void Failed(Exception e)
    {
        Interlocked.Increment(ref _failures);
        LastFailure = $"{e.GetType().Name}: {e.Message}";
    }

    private void Took(TimeSpan took)
    {
        lock (Acknowledged) if (took > SlowestPost) SlowestPost = took;
    }
}

/// <summary>One post as its poster saw it: when it was sent and answered, and the seq or the error it got.</summary>
public sealed record PostOutcome(string Body, TimeSpan SentAt, TimeSpan DoneAt, long? Seq, string? Error);
