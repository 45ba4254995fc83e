namespace Chat.LoadTests;

/// <summary>
/// One reader's account of a thread's seqs, whatever the transport: it judges what the server pushed
/// (a pushed seq already pushed is a duplicate, one below the highest pushed so far is out of order,
/// a seq that never came by push or join is lost) and delivers comments in seq order, holding later
/// ones until the gap before them closes. Latency is taken from the send time stamped in the body,
/// at the moment a comment is delivered (that is when a reader could show it).
/// </summary>
/// <remarks>Thread-safe: a push and a gap fill may arrive at the same time.</remarks>
/// <typeparam name="TItem">What a comment is to the reader: a parsed <see cref="Comment"/>, or just its seq and stamp.</typeparam>
/// <param name="delivered">Called for each comment as it is delivered (e.g. to record it for the chaos checker).</param>
public sealed class SeqLedger<TItem>(Stats stats, Func<TItem, long> seqOf, Func<TItem, long> sentOf, Action<TItem, long>? delivered = null)
{
    private const byte Held = 1, Pushed = 2, Joined = 4, PushedBefore = 8;

    private readonly Lock _lock = new();
    private byte[] _seen = new byte[64];
    private long _maxPushed;
    private long _knownLast;
    // Comments that arrived ahead of a gap, by seq.
    private SortedDictionary<long, TItem>? _ahead;

    public long LastSeq { get; private set; }
    public long Duplicated { get; private set; }
    public long OutOfOrder { get; private set; }
    public long JoinRepeats { get; private set; }

    /// <summary>True while a seq known to exist (from a join or a push) has not been delivered.</summary>
    public bool Behind
    {
        get { lock (_lock) return LastSeq < _knownLast; }
    }

    /// <summary>The highest seq known to exist (from a join or a push).</summary>
    public long KnownLast
    {
        get { lock (_lock) return _knownLast; }
    }

    /// <summary>
    /// Takes comments that arrived by push, by join (with the last seq the join reported) or by an
    /// HTTP fill (<paramref name="how"/>).
    /// </summary>
    public void Take(ReadOnlySpan<TItem> comments, Arrival how, long now, long knownLast = 0)
    {
        if (how == Arrival.Push) Interlocked.Add(ref stats.Pushes, comments.Length);
        lock (_lock)
        {
            foreach (var item in comments)
            {
                var seq = seqOf(item);
                Grow(seq);
                ref var flags = ref _seen[seq];
                if (how == Arrival.Push)
                {
                    if ((flags & Pushed) != 0) Duplicated++;
                    else if ((flags & Joined) != 0) JoinRepeats++; // the contract allows a push to repeat the join
                    else if (seq < _maxPushed) OutOfOrder++;
                    _maxPushed = Math.Max(_maxPushed, seq);
                    flags |= Pushed;
                }
                else if (how == Arrival.Join) flags |= Joined;
            }
            foreach (var item in comments)
            {
                var seq = seqOf(item);
                if (seq <= LastSeq) continue; // had it already
                if (seq == LastSeq + 1) Deliver(seq, item, now);
                else (_ahead ??= [])[seq] = item;
            }
            while (_ahead is { Count: > 0 } && _ahead.Remove(LastSeq + 1, out var next)) Deliver(LastSeq + 1, next, now);
            // Anything at or below LastSeq left ahead came twice; drop it.
            while (_ahead is { Count: > 0 } && _ahead.Keys.First() <= LastSeq) _ahead.Remove(_ahead.Keys.First());
            var last = comments.Length > 0 ? seqOf(comments[^1]) : 0;
            _knownLast = Math.Max(_knownLast, Math.Max(knownLast, last));
        }
    }

    private void Deliver(long seq, TItem item, long now)
    {
        Grow(seq);
        _seen[seq] |= Held;
        LastSeq = seq;
        delivered?.Invoke(item, now);
        Interlocked.Increment(ref stats.Deliveries);
        stats.RecordDelivery(sentOf(item), now);
    }

    private void Grow(long seq)
    {
        if (seq < _seen.Length) return;
        Array.Resize(ref _seen, (int)Math.Max(seq + 1, _seen.Length * 2L));
    }

    /// <summary>
    /// A reader that arrives while the thread goes on (a page opened now) starts after the last seq it
    /// read over HTTP: it holds nothing before, and is judged from there on.
    /// </summary>
    public void StartAfter(long seq)
    {
        lock (_lock)
        {
            LastSeq = Math.Max(LastSeq, seq);
            _knownLast = Math.Max(_knownLast, seq);
        }
    }

    /// <summary>
    /// The reader moved to a new connection (another node, after the old one said Reconnect or
    /// closed) and rejoins after its last seq: pushes are judged per connection from now on. A seq the
    /// old connection pushed may come again on the new one (each node relays on its own), and that is
    /// not a duplicate; it still counts as pushed for <see cref="Verify"/>.
    /// </summary>
    public void Rejoin()
    {
        lock (_lock)
        {
            for (var s = 0; s < _seen.Length; s++)
                if ((_seen[s] & Pushed) != 0) _seen[s] = (byte)((_seen[s] & ~Pushed) | PushedBefore);
            _maxPushed = 0;
        }
    }

    /// <summary>After the run: seqs after joinedAfter up to n this reader does not hold, and seqs it only got by the HTTP fill.</summary>
    public (long Missing, long Lost) Verify(long n, long joinedAfter = 0)
    {
        lock (_lock)
        {
            long missing = 0, lost = 0;
            for (var s = joinedAfter + 1; s <= n; s++)
            {
                var f = s < _seen.Length ? _seen[s] : (byte)0;
                if ((f & Held) == 0) missing++;
                if ((f & (Pushed | Joined | PushedBefore)) == 0) lost++;
            }
            if (LastSeq < n) missing = Math.Max(missing, n - LastSeq);
            return (missing, lost);
        }
    }
}

public enum Arrival { Push, Join, Fill }
