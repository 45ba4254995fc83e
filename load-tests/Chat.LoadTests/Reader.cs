using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests;

/// <summary>
/// A reader that follows the contract (join with its last seq, skip what it has, fill a gap over
/// HTTP, rejoin after reconnecting) and, separately, judges what the server pushed: a pushed seq it
/// was already pushed is a duplicate, one below the highest pushed so far is out of order, and a seq
/// that never came by push or join (only by the HTTP fill, or not at all) is lost.
/// </summary>
public sealed class Reader : IAsyncDisposable
{
    private const byte Held = 1, Pushed = 2, Joined = 4;

    private readonly Stats _stats;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _lock = new();
    private byte[] _seen = new byte[1024];
    private long _maxPushed;

    public Reader(Uri node, string threadId, Stats stats, string? token = null)
    {
        ThreadId = threadId;
        _stats = stats;
        _http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        Connection = ApiClient.Hub(node, token);
        Connection.On<string, Comment[]>("comments", (id, batch) => id == ThreadId ? TakeAsync(batch, pushed: true) : Task.CompletedTask);
        Connection.On<string, int>("viewers", (_, _) => { });
        Connection.Reconnecting += _ => { Interlocked.Increment(ref _stats.Reconnects); return Task.CompletedTask; };
        Connection.Reconnected += _ => JoinAsync();
        Connection.Closed += e => { if (e is not null) _stats.Error($"reader closed: {e.Message}", ref _stats.ConnectionErrors); return Task.CompletedTask; };
    }

    public string ThreadId { get; }
    public HubConnection Connection { get; }
    public long LastSeq { get; private set; }
    public long Duplicated { get; private set; }
    public long OutOfOrder { get; private set; }
    public long JoinRepeats { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        await Connection.StartAsync(ct);
        await JoinAsync();
    }

    public async Task JoinAsync()
    {
        var join = await Connection.InvokeAsync<JoinResponse>("JoinThread", ThreadId, LastSeq);
        await TakeAsync(join.Comments, pushed: false, knownLast: join.LastSeq);
    }

    private async Task TakeAsync(Comment[] batch, bool pushed, long knownLast = 0)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (pushed) Interlocked.Add(ref _stats.Pushes, batch.Length);
        lock (_lock)
        {
            foreach (var c in batch)
            {
                Grow(c.Seq);
                ref var flags = ref _seen[c.Seq];
                if (pushed)
                {
                    if ((flags & Pushed) != 0) Duplicated++;
                    else if ((flags & Joined) != 0) JoinRepeats++; // the contract allows a push to repeat the join
                    else if (c.Seq < _maxPushed) OutOfOrder++;
                    _maxPushed = Math.Max(_maxPushed, c.Seq);
                    flags |= Pushed;
                }
                else flags |= Joined;
            }
        }
        await _gate.WaitAsync();
        try
        {
            Append(batch, now);
            var upTo = Math.Max(knownLast, batch.Length > 0 ? batch[^1].Seq : 0);
            while (LastSeq < upTo)
            {
                Interlocked.Increment(ref _stats.GapFetches);
                Comment[] missing;
                try { missing = (await _http.GetFromJsonAsync<Comment[]>($"/api/threads/{ThreadId}/comments?after={LastSeq}&limit=1000", ApiClient.Json))!; }
                catch (Exception e) { _stats.Error($"gap fetch: {e.Message}", ref _stats.ConnectionErrors); break; }
                if (missing.Length == 0) break;
                Append(missing, System.Diagnostics.Stopwatch.GetTimestamp());
                Append(batch, now);
            }
        }
        finally { _gate.Release(); }
    }

    private void Append(Comment[] comments, long now)
    {
        lock (_lock)
        {
            foreach (var c in comments)
            {
                if (c.Seq != LastSeq + 1) continue; // had it already, or still ahead of a gap
                Grow(c.Seq);
                _seen[c.Seq] |= Held;
                LastSeq = c.Seq;
                Interlocked.Increment(ref _stats.Deliveries);
                var age = Stamp.AgeMicros(c.Body, now);
                if (age > 0) _stats.Delivery.RecordValue(Math.Min(age, 600_000_000));
            }
        }
    }

    private void Grow(long seq)
    {
        if (seq < _seen.Length) return;
        Array.Resize(ref _seen, (int)Math.Max(seq + 1, _seen.Length * 2L));
    }

    /// <summary>After the run: seqs 1..n this reader does not hold, and seqs it only got by the HTTP fill.</summary>
    public (long Missing, long Lost) Verify(long n, long joinedAfter)
    {
        lock (_lock)
        {
            long missing = 0, lost = 0;
            for (var s = joinedAfter + 1; s <= n; s++)
            {
                var f = s < _seen.Length ? _seen[s] : (byte)0;
                if ((f & Held) == 0) missing++;
                if ((f & (Pushed | Joined)) == 0) lost++;
            }
            if (LastSeq < n) missing = Math.Max(missing, n - LastSeq);
            return (missing, lost);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await Connection.DisposeAsync(); } catch { /* closing at the end of a run */ }
        _http.Dispose();
    }
}
