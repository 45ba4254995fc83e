using Chat.Grains.Storage;

namespace Chat.Grains.Threads;

/// <summary>
/// What a thread keeps in memory of its committed comments: the last seq, how many are gone (deleted,
/// hidden, or placeholders of lost writes), the hot window of recent comments as readers see them
/// (joins and catch-up without a storage read), and recent (author, clientId) pairs with their seqs,
/// so that a retried post is stored once.
/// </summary>
internal sealed class RecentComments(int hotWindowSize, int rememberedClientIds)
{
    private readonly List<Comment> _hot = [];
    private readonly Dictionary<string, long> _seqByClientKey = new(StringComparer.Ordinal);
    private readonly Queue<string> _clientKeysByAge = new();

    public long LastSeq { get; private set; }

    /// <summary>Comments readers no longer see: deleted, hidden, or placeholders (which are both).</summary>
    public long GoneCount { get; private set; }

    /// <summary>The thread's comment count as readers see it (<see cref="ThreadInfo.CommentCount"/>).</summary>
    public long VisibleCount => LastSeq - GoneCount;

    /// <summary>A clientId names a post of one author: the same id of another author is another post.</summary>
    public static string ClientKey(string author, string clientId) => author + "\n" + clientId;

    public static bool IsGone(Comment c) => c.Deleted || c.Hidden;

    /// <summary>
    /// What readers see: a deleted or hidden comment keeps its place (so that replies stay readable),
    /// but not its author, body or mentions.
    /// </summary>
    public static Comment Public(Comment c) => IsGone(c) ? c with { Author = "", Body = "", Mentions = null } : c;

    /// <summary>On activation: the log is read forward from here (grain state's LastSeq lags it).</summary>
    public void StartAfter(long seq) => LastSeq = seq;

    /// <summary>On activation, counted from the log (the truth, also after a crash).</summary>
    public void SetGoneCount(long gone) => GoneCount = gone;

    public bool TryGetSeq(string clientKey, out long seq) => _seqByClientKey.TryGetValue(clientKey, out seq);

    /// <summary>
    /// Takes one committed comment, in seq order. Returns its client key, or null if it was taken
    /// before (a re-read after a failure meets those again).
    /// </summary>
    public string? Add(StoredComment stored)
    {
        var c = stored.Comment;
        if (c.Seq <= LastSeq) return null;
        LastSeq = c.Seq;
        if (IsGone(c)) GoneCount++;
        _hot.Add(Public(c));
        var clientKey = ClientKey(c.Author, stored.ClientId);
        if (_seqByClientKey.TryAdd(clientKey, c.Seq)) _clientKeysByAge.Enqueue(clientKey);
        return clientKey;
    }

    /// <summary>After a run of <see cref="Add"/>: keeps memory bounded.</summary>
    public void Trim()
    {
        if (_hot.Count > 2 * hotWindowSize) _hot.RemoveRange(0, _hot.Count - hotWindowSize);
        while (_clientKeysByAge.Count > rememberedClientIds) _seqByClientKey.Remove(_clientKeysByAge.Dequeue());
    }

    /// <summary>What a migrating activation hands to the next (<see cref="ThreadHandover"/>).</summary>
    public (Comment[] Hot, string[] ClientKeys, long[] ClientSeqs) Snapshot()
    {
        var keys = _clientKeysByAge.ToArray();
        return (_hot.ToArray(), keys, Array.ConvertAll(keys, k => _seqByClientKey[k]));
    }

    /// <summary>On activation by a migration, instead of reading the log: the previous activation's memory.</summary>
    public void Restore(ThreadHandover handover)
    {
        (LastSeq, GoneCount) = (handover.LastSeq, handover.GoneCount);
        _hot.AddRange(handover.Hot);
        for (var i = 0; i < handover.ClientKeys.Length; i++)
            if (_seqByClientKey.TryAdd(handover.ClientKeys[i], handover.ClientSeqs[i])) _clientKeysByAge.Enqueue(handover.ClientKeys[i]);
        Trim();
    }

    /// <summary>Comments after afterSeq from memory, if the hot window reaches back far enough.</summary>
    public bool TryGetPage(long afterSeq, int limit, out Comment[] page)
    {
        if (_hot.Count == 0 || afterSeq + 1 < _hot[0].Seq)
        {
            page = [];
            return false;
        }
        var start = (int)(afterSeq + 1 - _hot[0].Seq);
        page = _hot.GetRange(start, Math.Min(limit, _hot.Count - start)).ToArray();
        return true;
    }

    /// <summary>Comment seq as readers see it, if it is in the hot window.</summary>
    public Comment? Find(long seq) => IndexOf(seq) is >= 0 and var index ? _hot[index] : null;

    /// <summary>
    /// A stored comment changed (edit, delete, vote, hide): takes its new version. Returns true if
    /// that changed the visible count (it went or came back).
    /// </summary>
    public bool Changed(Comment before, Comment after)
    {
        var index = IndexOf(after.Seq);
        if (index >= 0) _hot[index] = Public(after);
        var delta = (IsGone(after) ? 1 : 0) - (IsGone(before) ? 1 : 0);
        GoneCount += delta;
        return delta != 0;
    }

    private int IndexOf(long seq)
    {
        var index = _hot.Count > 0 ? seq - _hot[0].Seq : -1;
        return index >= 0 && index < _hot.Count ? (int)index : -1;
    }
}
