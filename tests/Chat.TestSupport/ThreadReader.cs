using System.Net.Http.Json;
using Chat.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.TestSupport;

/// <summary>
/// A reader of one thread that follows the public contract exactly as a client should: join with
/// its last seq, drop what it has already seen, fill a gap from the HTTP API, and rejoin with its
/// last seq after reconnecting. It records every comment it was handed, so tests can check "each
/// exactly once, in seq order" and count duplicates the server pushed.
/// </summary>
public sealed class ThreadReader : IAsyncDisposable
{
    private HttpClient _http;
    private readonly string _threadId;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Comment> _received = [];
    private readonly List<Comment> _updates = [];
    private readonly Lock _lock = new();

    private readonly string? _token;
    private readonly Uri[] _nodes;
    private int _node;

    private ThreadReader(Uri[] nodes, string threadId, string? token)
    {
        _nodes = nodes;
        _http = new HttpClient { BaseAddress = nodes[0] };
        _threadId = threadId;
        _token = token;
        Connection = Build(nodes[0]);
    }

    public HubConnection Connection { get; private set; }

    /// <summary>The web node this reader is connected to now.</summary>
    public Uri Node => _nodes[_node];

    /// <summary>How many times this reader moved to another web node because its own went away.</summary>
    public int Failovers { get; private set; }

    /// <summary>Highest seq this reader holds with no gap before it.</summary>
    public long LastSeq { get; private set; }

    public int Viewers { get; private set; }

    /// <summary>The thread's own points as last pushed (<c>ThreadPoints</c>).</summary>
    public long ThreadPoints { get; private set; }

    /// <summary>Times this reader had to fill a gap over HTTP: 0 when live delivery kept up on its own.</summary>
    public int GapFetches { get; private set; }

    /// <summary>Pushed comments this reader already had (a join racing with a push causes a few; steady state none).</summary>
    public int DuplicatePushes { get; private set; }

    /// <summary>Every <c>Updates</c> push (edits, deletes, points), in arrival order.</summary>
    public IReadOnlyList<Comment> Updates
    {
        get { lock (_lock) return [.. _updates]; }
    }

    /// <summary>The last <c>ThreadLocked</c> push (null: none yet).</summary>
    public bool? Locked { get; private set; }

    /// <summary>Every <c>Typing</c> push: who is writing a reply to which seq (0 = top level).</summary>
    public IReadOnlyList<(string UserName, long ParentSeq)> Typing
    {
        get { lock (_lock) return [.. _typing]; }
    }

    private readonly List<(string UserName, long ParentSeq)> _typing = [];

    /// <summary>How many <c>Comments</c> messages were pushed to this reader (frames, not comments).</summary>
    public int CommentMessages { get; private set; }

    /// <summary>Updates pushed for a seq this reader did not have yet: each one overtook its comment.</summary>
    public int UpdatesAheadOfTheirComment { get; private set; }

    /// <summary>Comments in the order this reader took them in (each seq at most once).</summary>
    public IReadOnlyList<Comment> Received
    {
        get { lock (_lock) return [.. _received]; }
    }

    public static Task<ThreadReader> ConnectAsync(Uri baseAddress, string threadId, string? token = null, long afterSeq = 0) =>
        ConnectAsync([baseAddress], threadId, token, afterSeq);

    /// <summary>
    /// With more than one web node, the reader behaves as behind a load balancer: when its node goes
    /// away it connects to the next one and rejoins with its last seq.
    /// </summary>
    public static async Task<ThreadReader> ConnectAsync(Uri[] nodes, string threadId, string? token = null, long afterSeq = 0)
    {
        var reader = new ThreadReader(nodes, threadId, token) { LastSeq = afterSeq };
        await reader.Connection.StartAsync();
        await reader.JoinAsync();
        return reader;
    }

    private HubConnection Build(Uri node)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(node, "/hubs/discussion"), o =>
        {
            if (_token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(_token);
        });
        if (_nodes.Length == 1) builder.WithAutomaticReconnect();
        var connection = builder.Build();
        connection.On<string, Comment[]>(nameof(IDiscussionClient.Comments), (id, batch) => id == _threadId ? TakeAsync(batch) : Task.CompletedTask);
        connection.On<string, int>(nameof(IDiscussionClient.Viewers), (id, count) => { if (id == _threadId) Viewers = count; });
        connection.On<string, long>(nameof(IDiscussionClient.ThreadPoints), (id, points) => { if (id == _threadId) ThreadPoints = points; });
        connection.On<string, bool>(nameof(IDiscussionClient.ThreadLocked), (id, locked) => { if (id == _threadId) Locked = locked; });
        connection.On<string, string, long>(nameof(IDiscussionClient.Typing), (id, user, parentSeq) =>
        {
            if (id != _threadId) return;
            lock (_lock) _typing.Add((user, parentSeq));
        });
        connection.On<string, Comment[]>(nameof(IDiscussionClient.Updates), (id, updates) =>
        {
            if (id != _threadId) return;
            lock (_lock)
            {
                _updates.AddRange(updates);
                // An update may only follow its comment; one for a seq this reader has not got overtook it.
                UpdatesAheadOfTheirComment += updates.Count(u => u.Seq > LastSeq);
            }
        });
        connection.Reconnected += _ => JoinAsync();
        if (_nodes.Length > 1)
        {
            // A node going away (crash or shutdown) closes the connection; a node shutting down
            // first says Reconnect. Either way, move to the next node, as behind a load balancer.
            connection.Closed += _ => _stopping ? Task.CompletedTask : FailOverAsync();
            connection.On(nameof(IDiscussionClient.Reconnect), () => { _ = LeaveAsync(connection); });
        }
        return connection;
    }

    private async Task FailOverAsync()
    {
        try { await ConnectToNextNodeAsync(); }
        finally { _leaving = false; }
    }

    private async Task ConnectToNextNodeAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            _node = (_node + 1) % _nodes.Length;
            _http.Dispose();
            _http = new HttpClient { BaseAddress = _nodes[_node] };
            var next = Build(_nodes[_node]);
            try
            {
                await next.StartAsync();
                Connection = next;
                Failovers++;
                await JoinAsync();
                return;
            }
            catch (Exception)
            {
                await next.DisposeAsync();
                await Task.Delay(200); // back off before trying the next node
            }
        }
    }

    public async Task JoinAsync()
    {
        var result = await Connection.InvokeAsync<JoinResponse>("JoinThread", _threadId, LastSeq);
        Viewers = result.Viewers;
        await TakeAsync(result.Comments, result.LastSeq, pushed: false);
    }

    public async Task<long> PostAsync(long parentSeq, string body, string? clientId = null)
    {
        // A post made while leaving a node, or while the connection is down, waits for the next one
        // (at most 30 s; then it tries and fails as it would). Counted first, then checked: LeaveAsync
        // sets _leaving before it reads the count, so either it waits for this post or this post sees
        // it leaving; checked the other way round, a post could slip onto the connection being stopped.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Interlocked.Increment(ref _posting);
            if ((!_leaving && Connection.State == HubConnectionState.Connected) || DateTime.UtcNow > deadline) break;
            Interlocked.Decrement(ref _posting);
            await Task.Delay(20);
        }
        try
        {
            return (await Connection.InvokeAsync<PostResponse>("PostComment", _threadId, parentSeq, body, clientId ?? Guid.NewGuid().ToString("N"))).Seq;
        }
        finally
        {
            Interlocked.Decrement(ref _posting);
        }
    }

    private int _posting;
    private volatile bool _leaving;

    /// <summary>
    /// A node that says Reconnect is shutting down but still answers the calls it has: stop once the
    /// posts in flight have their answers (at most 10 s), so that none is cut off, then move.
    /// </summary>
    private async Task LeaveAsync(HubConnection connection)
    {
        _leaving = true;
        Interlocked.MemoryBarrier(); // the write above before the reads of _posting below
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Volatile.Read(ref _posting) > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await connection.StopAsync(); // Closed moves to the next node
    }

    /// <summary>Stops the connection; <see cref="RestartAsync"/> comes back with the last seq, as a reconnecting page does.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        await Connection.StopAsync();
        _stopping = false;
    }

    public async Task RestartAsync()
    {
        await Connection.StartAsync();
        await JoinAsync();
    }

    private volatile bool _stopping;

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await Connection.DisposeAsync();
        _http.Dispose();
    }

    private async Task TakeAsync(Comment[] batch, long knownLastSeq = 0, bool pushed = true)
    {
        await _gate.WaitAsync();
        try
        {
            if (pushed)
            {
                DuplicatePushes += batch.Count(c => c.Seq <= LastSeq);
                CommentMessages++;
            }
            Append(batch);
            var upTo = Math.Max(knownLastSeq, batch.Length > 0 ? batch[^1].Seq : 0);
            while (LastSeq < upTo)
            {
                // A gap: fetch what is missing, in order, from the log, as the contract says.
                GapFetches++;
                var missing = await _http.GetFromJsonAsync<Comment[]>($"/api/threads/{_threadId}/comments?after={LastSeq}&limit={Limits.MaxPageSize}", ChatApiClient.Json);
                if (missing!.Length == 0) break;
                Append(missing);
                Append(batch);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Append(IEnumerable<Comment> comments)
    {
        lock (_lock)
        {
            foreach (var c in comments)
            {
                if (c.Seq != LastSeq + 1) continue; // seen already, or still ahead of a gap
                _received.Add(c);
                LastSeq = c.Seq;
            }
        }
    }

    private sealed record JoinResponse(long LastSeq, Comment[] Comments, int Viewers);

    private sealed record PostResponse(long Seq);
}
