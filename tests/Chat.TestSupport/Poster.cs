using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chat.TestSupport;

/// <summary>
/// A poster that keeps going through failures the way a careful client does: a failed post is
/// retried with the same clientId until it is acknowledged, so nothing is stored twice.
/// </summary>
public sealed class Poster(ThreadReader connection, string name)
{
    public ConcurrentDictionary<long, string> Acknowledged { get; } = new();
    public int Failures => _failures;

    /// <summary>Posts started: once PostAsync returned, each of them is acknowledged.</summary>
    public int Started => _started;

    /// <summary>What the last failed attempt threw (null: none failed), to say why in a test's output.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The slowest post, retries included: how long posting stalled at worst.</summary>
    public TimeSpan SlowestPost { get; private set; }

    private int _failures;
    private int _started;

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
                try { await PostOneAsync($"{name} {n}", $"{name}-{n}", clock, deadline); }
                finally { slots.Release(); }
            }));
            Interlocked.Increment(ref _started);
            if (pace > TimeSpan.Zero) await Task.Delay(pace, CancellationToken.None);
        }
        await Task.WhenAll(posts);
    }

    private async Task PostOneAsync(string body, string clientId, Stopwatch clock, TimeSpan deadline)
    {
        var started = clock.Elapsed;
        try { await PostUntilAcknowledgedAsync(body, clientId, clock, deadline); }
        finally
        {
            var took = clock.Elapsed - started;
            lock (Acknowledged) if (took > SlowestPost) SlowestPost = took;
        }
    }

    private async Task PostUntilAcknowledgedAsync(string body, string clientId, Stopwatch clock, TimeSpan deadline)
    {
        while (true)
        {
            try
            {
                var seq = await connection.PostAsync(0, body, clientId);
                Acknowledged[seq] = body;
                return;
            }
            catch (Exception e) when (clock.Elapsed < deadline)
            {
                Interlocked.Increment(ref _failures);
                LastFailure = $"{e.GetType().Name}: {e.Message}";
                await Task.Delay(100); // back off before retrying the same clientId
            }
        }
    }
}
