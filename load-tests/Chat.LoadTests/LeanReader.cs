using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;

namespace Chat.LoadTests;

/// <summary>
/// A reader on a raw WebSocket that speaks SignalR's JSON hub protocol itself (<see cref="LeanFrames"/>):
/// it joins a thread with its last seq, reads only the seqs and send stamps of what is pushed, and
/// fills a gap over HTTP, like <see cref="Reader"/> but at a fraction of the .NET client's CPU and
/// memory, so that what a run measures is the server. The same checks (<see cref="SeqLedger{TItem}"/>).
/// </summary>
public sealed class LeanReader : IThreadReader
{
    // Whatever frames have arrived come in one receive: a push of several comments (the product's
    // coalesced frames) or several pushes (plain SignalR's under load).
    private const int ReceiveBufferBytes = 4096;

    private readonly LeanTransport _transport;
    private volatile Uri _node;
    private readonly Func<Uri>? _failOver;
    private Task _moving = Task.CompletedTask;
    private int _movingFlag;
    private readonly Stats _stats;
    private readonly SeqLedger<(long Seq, long Sent)> _ledger;
    private readonly SemaphoreSlim _fillGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private LeanSocket? _socket;
    private Task _receiving = Task.CompletedTask;
    private TaskCompletionSource<long>? _join;
    private int _invocations;
    private int _fillScheduled;
    private bool _handshaken;
    // A record that spans several receives is gathered here (pooled; most records fit one receive).
    private byte[]? _partial;
    private int _partialLength;

    private readonly bool _joins;
    private readonly long _startAfter;
    private readonly string? _token;
    private readonly byte[][] _onConnect;

    /// <param name="join">False: only connect (an open page of another part of the site), never join the thread.</param>
    /// <param name="startAfter">A reader arriving while the thread goes on: it read up to this seq over HTTP, joins after it, and is judged from there.</param>
    /// <param name="token">Connect signed in (bearer token).</param>
    /// <param name="onConnect">Invocation records sent after the handshake (an idle page's JoinFrontPage, JoinInbox); their answers are read and dropped.</param>
    /// <param name="failOver">
    /// Where to go when the node says Reconnect or the connection closes (the next node behind a load
    /// balancer): the reader connects there and rejoins after its last seq. Null: it stays, and a
    /// close is a connection error.
    /// </param>
    public LeanReader(LeanTransport transport, Uri node, string threadId, Stats stats, bool join = true, long startAfter = 0, string? token = null, byte[][]? onConnect = null,
        Func<Uri>? failOver = null)
    {
        _failOver = failOver;
        _joins = join;
        _startAfter = startAfter;
        _token = token;
        _onConnect = onConnect ?? [];
        _transport = transport;
        _node = node;
        _stats = stats;
        ThreadId = threadId;
        _ledger = new SeqLedger<(long Seq, long Sent)>(stats, c => c.Seq, c => c.Sent);
        if (startAfter > 0) _ledger.StartAfter(startAfter);
    }

    /// <summary>The seq this reader started after (0: from the thread's start).</summary>
    public long StartedAfter => _startAfter;

    /// <summary>True while its socket is open.</summary>
    public bool IsOpen => _socket is { IsOpen: true };

    public string ThreadId { get; }
    public long LastSeq => _ledger.LastSeq;
    public long Duplicated => _ledger.Duplicated;
    public long OutOfOrder => _ledger.OutOfOrder;
    public long JoinRepeats => _ledger.JoinRepeats;

    public async Task StartAsync(CancellationToken ct)
    {
        await ConnectAsync(ct);
        _transport.Register(this);
    }

    /// <summary>The node it is connected to now.</summary>
    public Uri Node => _node;

    /// <summary>Times it moved to another node and rejoined.</summary>
    public int Moves { get; private set; }

    private async Task ConnectAsync(CancellationToken ct)
    {
        _socket = await _transport.ConnectAsync(_node, ct, _token);
        await SendAsync(_transport.MessagePack ? LeanMessagePack.Handshake : LeanFrames.Handshake, ct, handshake: true);
        _receiving = ReceiveLoopAsync(_socket);
        foreach (var record in _onConnect) await SendAsync(record, ct);
        if (_joins) await JoinAsync(ct);
    }

    /// <summary>Starts moving to another node, unless it is already moving.</summary>
    private void FailOver()
    {
        if (_failOver is null || _closing.IsCancellationRequested || Interlocked.Exchange(ref _movingFlag, 1) == 1) return;
        _moving = Task.Run(MoveAsync);
    }

    /// <summary>
    /// Closes the old connection, then tries the nodes in turn for 30 s: connect, handshake, the
    /// idle page's calls, and the join after the last seq held (the join returns what was posted
    /// meanwhile; the ledger judges pushes per connection from here on).
    /// </summary>
    private async Task MoveAsync()
    {
        try
        {
            if (_socket is { } old)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    if (old.IsOpen) await old.CloseAsync(timeout.Token);
                }
                catch { /* the node is going away */ }
                old.Dispose();
            }
            try { await _receiving; } catch { /* ended */ }
            var deadline = Stopwatch.StartNew();
            while (!_closing.IsCancellationRequested)
            {
                _node = _failOver!();
                ResetConnectionState();
                _ledger.Rejoin();
                try
                {
                    await ConnectAsync(_closing.Token);
                    Moves++;
                    Interlocked.Increment(ref _stats.Reconnects);
                    return;
                }
                catch (Exception e) when (!_closing.IsCancellationRequested)
                {
                    _socket?.Dispose();
                    try { await _receiving; } catch { /* ended */ }
                    if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                    {
                        _stats.Error($"lean reader: no node took it back within 30 s: {e.Message}", ref _stats.ConnectionErrors);
                        return;
                    }
                    await Task.Delay(200, _closing.Token);
                }
            }
        }
        catch (OperationCanceledException) { }
        finally { Volatile.Write(ref _movingFlag, 0); }
    }

    /// <summary>A new connection starts with a new handshake and nothing half-received.</summary>
    private void ResetConnectionState()
    {
        _handshaken = false;
        if (_partial is not null) ArrayPool<byte>.Shared.Return(_partial);
        _partial = null;
        _partialLength = 0;
    }

    private async Task JoinAsync(CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _invocations).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _join = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync(_transport.MessagePack ? LeanMessagePack.JoinThread(id, ThreadId, LastSeq) : LeanFrames.JoinThread(id, ThreadId, LastSeq), ct);
        var knownLast = await _join.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (knownLast > LastSeq) await FillAsync();
    }

    /// <summary>SignalR's keep-alive: the server closes a connection it has not heard from for 30 s.</summary>
    internal Task PingAsync(CancellationToken ct) =>
        _socket is { IsOpen: true } ? SendAsync(_transport.MessagePack ? LeanMessagePack.Ping : LeanFrames.Ping, ct) : Task.CompletedTask;

    /// <summary>Text for JSON and the handshake, binary for MessagePack.</summary>
    private Task SendAsync(byte[] record, CancellationToken ct, bool handshake = false) =>
        _socket!.SendAsync(record, binary: !handshake && _transport.MessagePack, ct);

    private async Task ReceiveLoopAsync(LeanSocket socket)
    {
        var buffer = new byte[ReceiveBufferBytes];
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var received = await socket.ReceiveAsync(buffer, _closing.Token);
                if (received == 0) break;
                Split(buffer.AsSpan(0, received));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException) { }
        if (_closing.IsCancellationRequested || socket != _socket) return;
        if (_failOver is not null)
        {
            _join?.TrySetException(new IOException("connection closed"));
            FailOver();
        }
        else
        {
            _stats.Error("lean reader: connection closed by the server", ref _stats.ConnectionErrors);
            _join?.TrySetException(new IOException("connection closed"));
        }
    }

    /// <summary>Cuts received bytes into messages; an incomplete tail waits in <see cref="_partial"/> for the rest.</summary>
    private void Split(ReadOnlySpan<byte> data)
    {
        if (_partialLength == 0)
        {
            var used = Consume(data);
            if (used < data.Length) Append(data[used..]);
            return;
        }
        Append(data);
        var consumed = Consume(_partial.AsSpan(0, _partialLength));
        _partial.AsSpan(consumed, _partialLength - consumed).CopyTo(_partial);
        _partialLength -= consumed;
        if (_partialLength > 0) return;
        ArrayPool<byte>.Shared.Return(_partial!);
        _partial = null;
    }

    /// <summary>
    /// Handles every complete message at the start of data; returns the bytes used. The handshake
    /// answer ends with 0x1E in both protocols; after it, JSON records do too, and MessagePack
    /// messages carry their length in front.
    /// </summary>
    private int Consume(ReadOnlySpan<byte> data)
    {
        var total = 0;
        while (total < data.Length)
        {
            var rest = data[total..];
            if (!_handshaken || !_transport.MessagePack)
            {
                var end = rest.IndexOf(LeanFrames.RecordSeparator);
                if (end < 0) break;
                if (_handshaken) OnJson(rest[..end]);
                else OnHandshake(rest[..end]);
                total += end + 1;
            }
            else
            {
                if (!LeanMessagePack.TryFrame(rest, out var message, out var used)) break;
                var comments = LeanTransport.Scratch;
                comments.Clear();
                var m = LeanMessagePack.Read(message, comments);
                On(m.Type, m.IsComments, m.IsReconnect, m.LastSeq, m.Error, comments);
                total += used;
            }
        }
        return total;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_partial is null || _partialLength + data.Length > _partial.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (_partialLength + data.Length) * 2));
            if (_partial is not null)
            {
                _partial.AsSpan(0, _partialLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_partial);
            }
            _partial = bigger;
        }
        data.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += data.Length;
    }

    private void OnHandshake(ReadOnlySpan<byte> answer)
    {
        _handshaken = true;
        if (LeanFrames.ErrorOf(answer) is { } error) _join?.TrySetException(new InvalidOperationException($"handshake: {error}"));
    }

    private void OnJson(ReadOnlySpan<byte> record)
    {
        var type = LeanFrames.TypeOf(record);
        var comments = LeanTransport.Scratch;
        comments.Clear();
        var isComments = type == 1 && LeanFrames.IsComments(record);
        if (isComments || type == 3) LeanFrames.Comments(record, comments);
        On(type, isComments, type == 1 && LeanFrames.IsReconnect(record), type == 3 ? LeanFrames.LastSeqOf(record) : 0,
            type is 3 or 7 ? LeanFrames.ErrorOf(record) : null, comments);
    }

    /// <summary>One message, whatever the protocol: a push of comments, the join's answer, a close.</summary>
    private void On(int type, bool isComments, bool isReconnect, long lastSeq, string? error, List<(long Seq, long Sent)> comments)
    {
        var now = Stopwatch.GetTimestamp();
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(comments);
        switch (type)
        {
            case 1 when isComments:
                _ledger.Take(span, Arrival.Push, now);
                if (_ledger.Behind) ScheduleFill();
                break;
            case 1 when isReconnect:
                // The node is shutting down: with somewhere else to go, go now (as a page behind a
                // load balancer does); a run against one node waits for the close (a connection error).
                FailOver();
                break;
            case 3 when _join is { Task.IsCompleted: false } join:
                if (error is not null) join.TrySetException(new InvalidOperationException($"JoinThread: {error}"));
                else
                {
                    _ledger.Take(span, Arrival.Join, now, lastSeq);
                    join.TrySetResult(lastSeq);
                }
                break;
            case 7:
                _stats.LastError = $"lean reader: server closed the connection: {error}";
                break;
        }
    }

    /// <summary>A push ahead of a gap: the missing seqs are most likely on their way; give them <see cref="Reader.GapGrace"/>.</summary>
    private void ScheduleFill()
    {
        if (Interlocked.Exchange(ref _fillScheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(Reader.GapGrace);
            Interlocked.Exchange(ref _fillScheduled, 0);
            if (_ledger.Behind) await FillAsync();
        });
    }

    private async Task FillAsync()
    {
        await _fillGate.WaitAsync();
        try
        {
            while (_ledger.Behind)
            {
                Interlocked.Increment(ref _stats.GapFetches);
                byte[] page;
                try { page = await _transport.Http(_node).GetByteArrayAsync($"/api/threads/{ThreadId}/comments?after={LastSeq}&limit=1000"); }
                catch (Exception e) { _stats.Error($"gap fetch: {e.Message}", ref _stats.ConnectionErrors); return; }
                var comments = new List<(long, long)>();
                LeanFrames.Comments(page, comments);
                if (comments.Count == 0) return;
                _ledger.Take(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(comments), Arrival.Fill, Stopwatch.GetTimestamp());
            }
        }
        finally { _fillGate.Release(); }
    }

    public (long Missing, long Lost) Verify(long n) => _ledger.Verify(n, _startAfter);

    public async ValueTask DisposeAsync()
    {
        _transport.Unregister(this);
        _closing.Cancel();
        if (_socket is { IsOpen: true })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(timeout.Token);
            }
            catch { /* closing at the end of a run */ }
        }
        try { await _receiving; } catch { /* ended */ }
        try { await _moving; } catch { /* ended */ }
        try { await _receiving; } catch { /* ended */ }
        _socket?.Dispose();
        if (_partial is not null) ArrayPool<byte>.Shared.Return(_partial);
    }
}
