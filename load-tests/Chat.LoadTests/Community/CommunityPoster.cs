using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests.Community;

/// <summary>
/// A signed-in poster of the community workload: posts (each timed from when it was due), votes and
/// typing signals over its own hub connection. At most maxInFlight calls await their answer at
/// once; a post that finds the window full waits for a slot (its latency still counts from when it
/// was due) and is counted, so a result says when the posters, not the target, set the pace.
/// </summary>
/// <remarks>
/// With <paramref name="nextNode"/> it survives nodes going away as a client behind a load balancer
/// does: when its node says Reconnect (shutting down) it lets its posts in flight finish (at most
/// 10 s), then moves to the next node; when its connection closes it moves at once. A post whose
/// connection failed under it is sent again, with the same clientId (the server keeps one comment
/// per clientId), on the next connection: a retried post, not an error. A post is an error only
/// when the server refuses it, or when it has not gone through after 30 s of trying.
/// </remarks>
public sealed class CommunityPoster(Uri node, string token, Stats stats, int maxInFlight, Func<Uri>? nextNode = null) : IAsyncDisposable
{
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    private readonly SemaphoreSlim _moveGate = new(1, 1);
    private int _inFlight;
    private int _maxInFlight;
    private long _waited;
    private long _retried;
    private long _moves;
    private int _posting;
    private volatile bool _leaving;
    private volatile bool _disposed;

    public HubConnection Connection { get; private set; } = null!;
    public int MaxInFlightSeen => Volatile.Read(ref _maxInFlight);
    public long WaitedForSlot => Interlocked.Read(ref _waited);
    public int InFlight => Volatile.Read(ref _inFlight);
    /// <summary>Posts sent more than once (their connection failed under them).</summary>
    public long RetriedPosts => Interlocked.Read(ref _retried);
    /// <summary>Times it moved to another node.</summary>
    public long Moves => Interlocked.Read(ref _moves);

    public Task StartAsync(CancellationToken ct)
    {
        Connection = Build(node);
        return Connection.StartAsync(ct);
    }

    private HubConnection Build(Uri at)
    {
        // Alone on one node it reconnects there (as before); with other nodes it moves instead.
        var connection = ApiClient.Hub(at, token, reconnect: nextNode is null);
        if (nextNode is not null)
        {
            connection.Closed += _ => _disposed || _leaving ? Task.CompletedTask : MoveAsync(connection);
            connection.On("Reconnect", () => { _ = LeaveAsync(connection); });
        }
        return connection;
    }

    /// <summary>Posts; <paramref name="done"/> is told the outcome: the seq (0 if it failed), when it ended and how many times it was sent.</summary>
    public async Task PostAsync(string threadId, long due, string body, Action<long> acked, Action<long, long, int>? done = null)
    {
        await EnterAsync();
        Interlocked.Increment(ref stats.PostsSent);
        var clientId = Guid.NewGuid().ToString("N");
        var attempts = 0;
        var trying = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                attempts++;
                try
                {
                    var response = await SendAsync(threadId, body, clientId, trying);
                    var now = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref stats.Acks);
                    stats.RecordAck(due, now);
                    acked(response.Seq);
                    done?.Invoke(response.Seq, now, attempts);
                    return;
                }
                catch (Exception e) when (nextNode is not null && e is not HubException && trying.Elapsed < RetryFor && !_disposed)
                {
                    // The connection failed under it (the node went away): the same post, same
                    // clientId, once the poster is on a live connection again.
                    if (attempts == 1) Interlocked.Increment(ref _retried);
                    await Task.Delay(100);
                }
            }
        }
        catch (Exception e)
        {
            stats.Error($"post: {e.Message}", ref stats.PostErrors);
            done?.Invoke(0, Stopwatch.GetTimestamp(), attempts);
        }
        finally { Leave(); }
    }

    /// <summary>
    /// Waits until the poster is on a connection that is neither down nor being left (at most until
    /// the retry time runs out), then sends. Counted first, then checked: LeaveAsync sets _leaving
    /// before it reads the count, so either it waits for this post or this post sees it leaving.
    /// </summary>
    private async Task<PostResponse> SendAsync(string threadId, string body, string clientId, Stopwatch trying)
    {
        while (true)
        {
            Interlocked.Increment(ref _posting);
            if ((!_leaving && Connection.State == HubConnectionState.Connected) || trying.Elapsed > RetryFor) break;
            Interlocked.Decrement(ref _posting);
            await Task.Delay(20);
        }
        try { return await Connection.InvokeAsync<PostResponse>("PostComment", threadId, 0L, body, clientId); }
        finally { Interlocked.Decrement(ref _posting); }
    }

    /// <summary>The node is shutting down but still answers what it has: let the posts in flight finish (at most 10 s), then move.</summary>
    private async Task LeaveAsync(HubConnection connection)
    {
        if (connection != Connection) return;
        _leaving = true;
        Interlocked.MemoryBarrier(); // the write above before the reads of _posting below
        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref _posting) > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        await MoveAsync(connection);
    }

    /// <summary>To the next node (trying them in turn for 30 s); the old connection is stopped.</summary>
    private async Task MoveAsync(HubConnection from)
    {
        await _moveGate.WaitAsync();
        try
        {
            if (from != Connection || _disposed) return;
            _leaving = true;
            try { await from.DisposeAsync(); } catch { /* going away */ }
            var deadline = Stopwatch.StartNew();
            while (!_disposed)
            {
                var next = Build(nextNode!());
                try
                {
                    await next.StartAsync();
                    Connection = next;
                    Interlocked.Increment(ref _moves);
                    Interlocked.Increment(ref stats.Reconnects);
                    return;
                }
                catch (Exception e)
                {
                    await next.DisposeAsync();
                    if (deadline.Elapsed > RetryFor)
                    {
                        stats.Error($"poster: no node took it back within 30 s: {e.Message}", ref stats.ConnectionErrors);
                        return;
                    }
                    await Task.Delay(200);
                }
            }
        }
        finally
        {
            _leaving = false;
            _moveGate.Release();
        }
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
        _disposed = true;
        try { await Connection.DisposeAsync(); } catch { /* closing at the end of a run */ }
    }
}
