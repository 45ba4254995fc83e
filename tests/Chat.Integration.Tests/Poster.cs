using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chat.Integration.Tests;

/// <summary>
/// A poster that keeps going through failures the way a careful client does: a failed post is
/// retried with the same clientId until it is acknowledged, so nothing is stored twice.
/// </summary>
public sealed class Poster(ThreadReader connection, string name)
{
    public ConcurrentDictionary<long, string> Acknowledged { get; } = new();
    public int Failures => _failures;

    /// <summary>The slowest post, retries included: how long posting stalled at worst.</summary>
    public TimeSpan SlowestPost { get; private set; }

    private int _failures;

    /// <summary>Posts count comments, at most inFlight at once; each retried until acknowledged or the deadline passes.</summary>
    public async Task PostAsync(int count, int inFlight, Stopwatch clock, TimeSpan deadline)
    {
        using var slots = new SemaphoreSlim(inFlight);
        var posts = Enumerable.Range(1, count).Select(async i =>
        {
            await slots.WaitAsync();
            try { await PostOneAsync($"{name} {i}", $"{name}-{i}", clock, deadline); }
            finally { slots.Release(); }
        });
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
            catch (Exception) when (clock.Elapsed < deadline)
            {
                Interlocked.Increment(ref _failures);
                await Task.Delay(100); // back off before retrying the same clientId
            }
        }
    }
}
