using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using IDiscussionClient = Chat.Contracts.IDiscussionClient;

namespace Chat.LoadTests;

/// <summary>
/// A reader on Microsoft's .NET SignalR client that follows the contract (join with its last seq,
/// skip what it has, fill a gap over HTTP, rejoin after reconnecting) and, separately, judges what
/// the server pushed (<see cref="SeqLedger{TItem}"/>: duplicates, out of order, lost).
/// </summary>
public sealed class Reader : IThreadReader
{
    private readonly Stats _stats;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SeqLedger<Comment> _ledger;
    private int _fillScheduled;

    private readonly IReadOnlyList<Uri> _nodes;
    private int _node;
    private volatile bool _disposed;
    private readonly CancellationTokenSource _disposing = new(); // ends a failover in progress
    private readonly ReaderRecord? _record;

    /// <param name="failover">Other web nodes: when its node goes away the reader connects to the next
    /// one and rejoins with its last seq (as a browser behind a load balancer would), instead of
    /// waiting for its own node to come back.</param>
    /// <param name="record">Keeps, per seq, when it was delivered and a hash of its body (chaos checker).</param>
    public Reader(Uri node, string threadId, Stats stats, string? token = null, IReadOnlyList<Uri>? failover = null, ReaderRecord? record = null)
    {
        ThreadId = threadId;
        _stats = stats;
        _record = record;
        _ledger = new SeqLedger<Comment>(stats, c => c.Seq, c => Stamp.SentAt(c.Body), record is null ? null : record.Delivered);
        _nodes = [node, .. (failover ?? []).Where(n => n != node)];
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _token = token;
        Connection = Connect(node);
    }

    private readonly string? _token;

    private HubConnection Connect(Uri node)
    {
        var connection = ApiClient.Hub(node, _token, reconnect: _nodes.Count == 1);
        connection.On<string, Comment[]>(nameof(IDiscussionClient.Comments), (id, batch) => id == ThreadId ? TakeAsync(batch, pushed: true) : Task.CompletedTask);
        connection.On<string, int>(nameof(IDiscussionClient.Viewers), (_, _) => { });
        connection.Reconnecting += _ => { Interlocked.Increment(ref _stats.Reconnects); return Task.CompletedTask; };
        connection.Reconnected += _ => JoinAsync();
        connection.Closed += e =>
        {
            // Only the connection in use fails over (one that a failover gave up on closes too).
            if (_nodes.Count > 1 && !_disposed && ReferenceEquals(connection, Connection)) { _ = FailOverAsync(); return Task.CompletedTask; }
            if (e is not null && _nodes.Count == 1) _stats.Error($"reader closed: {e.Message}", ref _stats.ConnectionErrors);
            return Task.CompletedTask;
        };
        return connection;
    }

    public string ThreadId { get; }
    public HubConnection Connection { get; private set; }
    public long LastSeq => _ledger.LastSeq;
    public long Duplicated => _ledger.Duplicated;
    public long OutOfOrder => _ledger.OutOfOrder;
    public long JoinRepeats => _ledger.JoinRepeats;

    private Uri Node => _nodes[_node % _nodes.Count];

    /// <summary>
    /// Its connection closed: connect to the next node (the first try at once, then with a growing,
    /// jittered pause, as browsers do, so that hundreds of readers do not come back in step), then
    /// rejoin on that connection, again with a growing pause while the join fails (e.g. 503 while the
    /// thread moves). A join that fails does not drop a connection that works.
    /// </summary>
    private async Task FailOverAsync()
    {
        Interlocked.Increment(ref _stats.Reconnects);
        for (var attempt = 0; !_disposed; attempt++)
        {
            try { if (attempt > 0) await Task.Delay(Backoff(attempt), _disposing.Token); }
            catch (OperationCanceledException) { return; }
            _node++;
            var next = Connect(Node);
            try { await next.StartAsync(_disposing.Token); }
            catch (Exception)
            {
                await next.DisposeAsync(); // not the connection in use: its Closed does nothing
                continue;
            }
            var closed = Connection;
            Connection = next;
            if (_disposed) { await next.DisposeAsync(); return; }
            _ = closed.DisposeAsync().AsTask().ContinueWith(_ => { }); // already closed: frees what it holds
            for (var join = 0; !_disposed && next.State == HubConnectionState.Connected; join++)
            {
                if (join > 0) await Task.Delay(Backoff(join));
                try { await JoinAsync(); return; }
                catch (Exception) { /* the thread is not reachable yet: try again on this connection */ }
            }
            return; // closed while rejoining: its Closed handler fails over again
        }
    }

    /// <summary>0.5 s doubling up to 8 s, times 0.5-1.5.</summary>
    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(8, 0.5 * Math.Pow(2, attempt - 1)) * (0.5 + Random.Shared.NextDouble()));

    public async Task StartAsync(CancellationToken ct)
    {
        await Connection.StartAsync(ct);
        await JoinAsync();
    }

    public async Task JoinAsync()
    {
        JoinResponse join;
        try { join = await Connection.InvokeAsync<JoinResponse>("JoinThread", ThreadId, LastSeq); }
        catch (Exception e) { _lastJoinError = e.Message; Interlocked.Increment(ref _joinFailures); throw; }
        Interlocked.Increment(ref _joins);
        await TakeAsync(join.Comments, pushed: false, knownLast: join.LastSeq);
    }

    private int _joins, _joinFailures;
    private string? _lastJoinError;
    private long _lastPushTicks;

    /// <summary>Where this reader is and how it got there (for a reader that did not catch up).</summary>
    public string Describe() =>
        $"{Node.Authority} {Connection.State}, last seq {LastSeq} (known {_ledger.KnownLast}), {_joins} joins, {_joinFailures} failed" +
        (_lastJoinError is null ? "" : $" (last: {_lastJoinError})") +
        (_lastPushTicks == 0 ? ", never pushed to" : $", last push {System.Diagnostics.Stopwatch.GetElapsedTime(_lastPushTicks).TotalSeconds:0}s ago");

    private async Task TakeAsync(Comment[] batch, bool pushed, long knownLast = 0)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (pushed) _lastPushTicks = now;
        await _gate.WaitAsync();
        try
        {
            _ledger.Take(batch, pushed ? Arrival.Push : Arrival.Join, now, knownLast);
            if (!_ledger.Behind) return;
            // The join tells how far the thread goes (it returns at most a page): read the rest now.
            // A push ahead of a gap most likely means the missing seqs are on their way (another node
            // published them a moment later): give them GapGrace to arrive before asking over HTTP,
            // as the site's own page does, instead of every reader fetching at once.
            if (!pushed) await FillAsync();
            else ScheduleFill();
        }
        finally { _gate.Release(); }
    }

    /// <summary>How long a gap may stay open before the reader fills it over HTTP.</summary>
    public static readonly TimeSpan GapGrace = TimeSpan.FromMilliseconds(500);

    private void ScheduleFill()
    {
        if (Interlocked.Exchange(ref _fillScheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(GapGrace);
            Interlocked.Exchange(ref _fillScheduled, 0);
            await _gate.WaitAsync();
            try { if (_ledger.Behind) await FillAsync(); }
            finally { _gate.Release(); }
        });
    }

    /// <summary>Reads what is missing up to the highest seq known to exist. Called holding the gate.</summary>
    private async Task FillAsync()
    {
        while (_ledger.Behind)
        {
            Interlocked.Increment(ref _stats.GapFetches);
            Comment[] missing;
            try { missing = (await _http.GetFromJsonAsync<Comment[]>(new Uri(Node, $"/api/threads/{ThreadId}/comments?after={LastSeq}&limit=1000"), ApiClient.Json))!; }
            catch (Exception e) { _stats.Error($"gap fetch: {e.Message}", ref _stats.ConnectionErrors); return; }
            if (missing.Length == 0) return;
            _ledger.Take(missing, Arrival.Fill, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    public (long Missing, long Lost) Verify(long n) => _ledger.Verify(n);

    /// <summary>After the run: seqs after joinedAfter up to n this reader does not hold, and seqs it only got by the HTTP fill.</summary>
    public (long Missing, long Lost) Verify(long n, long joinedAfter) => _ledger.Verify(n, joinedAfter);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _disposing.Cancel();
        try { await Connection.DisposeAsync(); } catch { /* closing at the end of a run */ }
        _http.Dispose();
    }
}

/// <summary>
/// What one reader was given, seq by seq, in the order given: when (ms since the run's start) and a
/// hash of the body, so that the chaos checker can tell a seq that carried another comment.
/// </summary>
public sealed class ReaderRecord(Chaos.RunClock clock)
{
    private readonly Lock _lock = new();
    private readonly List<(long Seq, int AtMs, int BodyHash)> _delivered = [];

    public void Delivered(Comment c, long now)
    {
        var at = (int)((now - clock.Origin) * 1000 / System.Diagnostics.Stopwatch.Frequency);
        lock (_lock) _delivered.Add((c.Seq, at, BodyHash(c.Body)));
    }

    public static int BodyHash(string body) => StringComparer.Ordinal.GetHashCode(body);

    public (long Seq, int AtMs, int BodyHash)[] Snapshot()
    {
        lock (_lock) return [.. _delivered];
    }
}
