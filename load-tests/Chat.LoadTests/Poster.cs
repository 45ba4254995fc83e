using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests;

/// <summary>
/// Posts over its own hub connection at a fixed rate (open loop: the schedule does not wait for acks),
/// with at most <see cref="MaxInFlight"/> posts awaiting their ack (then it waits: that is backpressure).
/// </summary>
public sealed class Poster(Uri node, string token, Stats stats) : IAsyncDisposable
{
    public const int MaxInFlight = 500;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private static long _counter;

    public HubConnection Connection { get; } = ApiClient.Hub(node, token);
    public long MaxAckedSeq;

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
            _ = PostOne(threads[k % threads.Length]);
        }
    }

    private async Task PostOne(string threadId)
    {
        var sent = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref stats.PostsSent);
        try
        {
            var n = Interlocked.Increment(ref _counter);
            var response = await Connection.InvokeAsync<PostResponse>("PostComment", threadId, 0L, Stamp.Body(n), Guid.NewGuid().ToString("N"));
            Interlocked.Increment(ref stats.Acks);
            stats.Ack.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds));
            long seen;
            while ((seen = Interlocked.Read(ref MaxAckedSeq)) < response.Seq && Interlocked.CompareExchange(ref MaxAckedSeq, response.Seq, seen) != seen) { }
        }
        catch (Exception e)
        {
            stats.Error($"post: {e.Message}", ref stats.PostErrors);
        }
        finally { _inFlight.Release(); }
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
