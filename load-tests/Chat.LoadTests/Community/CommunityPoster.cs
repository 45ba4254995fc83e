using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests.Community;

/// <summary>
/// A signed-in poster of the community workload: posts (each timed from when it was due), votes and
/// typing signals over its own hub connection. At most maxInFlight calls await their answer at
/// once; a post that finds the window full waits for a slot (its latency still counts from when it
/// was due) and is counted, so a result says when the posters, not the target, set the pace.
/// </summary>
public sealed class CommunityPoster(Uri node, string token, Stats stats, int maxInFlight) : IAsyncDisposable
{
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    private int _inFlight;
    private int _maxInFlight;
    private long _waited;

    public HubConnection Connection { get; } = ApiClient.Hub(node, token);
    public int MaxInFlightSeen => Volatile.Read(ref _maxInFlight);
    public long WaitedForSlot => Interlocked.Read(ref _waited);
    public int InFlight => Volatile.Read(ref _inFlight);

    public Task StartAsync(CancellationToken ct) => Connection.StartAsync(ct);

    public async Task PostAsync(string threadId, long due, string body, Action<long> acked)
    {
        await EnterAsync();
        Interlocked.Increment(ref stats.PostsSent);
        try
        {
            var response = await Connection.InvokeAsync<PostResponse>("PostComment", threadId, 0L, body, Guid.NewGuid().ToString("N"));
            Interlocked.Increment(ref stats.Acks);
            stats.RecordAck(due, Stopwatch.GetTimestamp());
            acked(response.Seq);
        }
        catch (Exception e) { stats.Error($"post: {e.Message}", ref stats.PostErrors); }
        finally { Leave(); }
    }

    /// <summary>Any other call (a vote, a typing signal); its failure is the caller's to count.</summary>
    public async Task CallAsync(string method, params object?[] args)
    {
        await EnterAsync();
        try { await Connection.InvokeCoreAsync<JsonElement>(method, args); }
        finally { Leave(); }
    }

    private async Task EnterAsync()
    {
        if (!_slots.Wait(0))
        {
            Interlocked.Increment(ref _waited);
            await _slots.WaitAsync();
        }
        var now = Interlocked.Increment(ref _inFlight);
        for (var seen = _maxInFlight; now > seen && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen; seen = _maxInFlight) { }
    }

    private void Leave()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    public async ValueTask DisposeAsync()
    {
        try { await Connection.DisposeAsync(); } catch { /* closing at the end of a run */ }
    }
}
