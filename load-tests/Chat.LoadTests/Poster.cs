using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests;

/// <summary>
/// Posts over its own hub connection at a fixed rate (open loop: the schedule does not wait for acks),
/// with at most <see cref="MaxInFlight"/> posts awaiting their ack (then it waits: that is backpressure).
/// Each post is stamped with the time it was due by the schedule, so a post held back (by this
/// poster's window or a busy generator) counts the wait in its latency: no coordinated omission.
/// </summary>
public sealed class Poster(Uri node, string token, Stats stats) : IAsyncDisposable
{
    public const int MaxInFlight = 500;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private static long _counter;

    public HubConnection Connection { get; } = ApiClient.Hub(node, token);
    public long MaxAckedSeq;
    private int _inFlightNow;
    private int _maxInFlightSeen;
    private long _heldBack;

    /// <summary>The most posts this poster had awaiting their ack at once: near <see cref="MaxInFlight"/> means the poster, not the target, set the pace.</summary>
    public int MaxInFlightSeen => Volatile.Read(ref _maxInFlightSeen);

    /// <summary>Posts that left more than 10 ms after they were due (the window was full or the generator behind).</summary>
    public long HeldBack => Interlocked.Read(ref _heldBack);

    public Task StartAsync(CancellationToken ct) => Connection.StartAsync(ct);

    /// <summary>Posts to threads[k % threads.Length] at `rate`/s until `until`, or `maxPosts`.</summary>
    public async Task RunAsync(string[] threads, double rate, TimeSpan duration, long maxPosts, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / rate;
        for (long k = 0; k < maxPosts && !ct.IsCancellationRequested; k++)
        {
            var due = start + (long)(k * interval);
            if (Stopwatch.GetElapsedTime(start, due) >= duration) break;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct).ContinueWith(_ => { });
            await _inFlight.WaitAsync(ct).ContinueWith(_ => { });
            if (ct.IsCancellationRequested) break;
            _ = PostOne(threads[k % threads.Length], due);
        }
    }

    private async Task PostOne(string threadId, long due)
    {
        if (Stopwatch.GetElapsedTime(due).TotalMilliseconds > 10) Interlocked.Increment(ref _heldBack);
        var now = Interlocked.Increment(ref _inFlightNow);
        for (var seen = _maxInFlightSeen; now > seen && Interlocked.CompareExchange(ref _maxInFlightSeen, now, seen) != seen; seen = _maxInFlightSeen) { }
        Interlocked.Increment(ref stats.PostsSent);
        try
        {
            var n = Interlocked.Increment(ref _counter);
            var response = await Connection.InvokeAsync<PostResponse>("PostComment", threadId, 0L, Stamp.Body(due, n), Guid.NewGuid().ToString("N"));
            Interlocked.Increment(ref stats.Acks);
            stats.RecordAck(due, Stopwatch.GetTimestamp());
            long seen;
            while ((seen = Interlocked.Read(ref MaxAckedSeq)) < response.Seq && Interlocked.CompareExchange(ref MaxAckedSeq, response.Seq, seen) != seen) { }
        }
        catch (Exception e)
        {
            stats.Error($"post: {e.Message}", ref stats.PostErrors);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlightNow);
            _inFlight.Release();
        }
    }

    /// <summary>Waits for the posts still awaiting their ack (bounded).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (_inFlight.CurrentCount < MaxInFlight && Stopwatch.GetTimestamp() < deadline) await Task.Delay(20);
    }

    public async ValueTask DisposeAsync()
    {
        try { await Connection.DisposeAsync(); } catch { /* closing at the end of a run */ }
    }
}
