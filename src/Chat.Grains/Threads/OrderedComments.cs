using Chat.Grains.Storage;

namespace Chat.Grains.Threads;

/// <summary>
/// A thread's pages in "top" and "new" order (<see cref="IThreadGrain.GetOrderedComments"/>). The
/// hot window holds only recent comments, so the first ordered read loads the whole thread into a
/// <see cref="CommentTree"/> (one forward read of the log, like an activation's), which settled
/// comments and changes then keep current; a tree nobody has read for <see cref="IdleLifetime"/> is
/// dropped, so only threads read in these orders pay for it in memory.
/// </summary>
internal sealed class OrderedComments(string threadId, ICommentLog log, RecentComments recent, TimeProvider time)
{
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(10);

    private CommentTree? _tree;
    private Task? _loading;
    private DateTimeOffset _lastRead;

    public async Task<OrderedPage> PageAsync(string order, long[]? roots, int limit)
    {
        if (CommentOrder.Check(order) is { } orderError) throw ChatException.Invalid(orderError);
        if (roots is { Length: > Limits.MaxPageSize }) throw ChatException.Invalid($"At most {Limits.MaxPageSize} roots per page.");
        limit = Math.Clamp(limit, 1, Limits.MaxPageSize);
        _lastRead = time.GetUtcNow();
        if (_tree is null)
        {
            _tree = new CommentTree();
            _loading = LoadAsync(_tree);
        }
        var tree = _tree;
        await _loading!;
        return tree.Page(order, roots, limit, recent.LastSeq);
    }

    /// <summary>
    /// Everything acknowledged when the load began; what settles or changes meanwhile comes through
    /// <see cref="Settled"/> and <see cref="Changed"/>, and a row read before a change is not allowed
    /// to overwrite it (<see cref="CommentTree.Add"/> keeps what it has).
    /// </summary>
    private async Task LoadAsync(CommentTree tree)
    {
        var upTo = recent.LastSeq;
        try
        {
            for (long after = 0; after < upTo;)
            {
                var rows = await log.ReadAsync(threadId, after, Limits.MaxPageSize);
                if (rows.Count == 0) break;
                foreach (var row in rows)
                    if (row.Comment.Seq <= upTo) tree.Add(RecentComments.Public(row.Comment));
                after = rows[^1].Comment.Seq;
            }
        }
        catch (Exception ex)
        {
            // The next reader tries again, whatever went wrong: a half-read tree is never served.
            if (ReferenceEquals(_tree, tree)) (_tree, _loading) = (null, null);
            if (ex is CommentLogUnavailableException) throw ChatException.StorageUnavailable();
            throw;
        }
    }

    public void Settled(IReadOnlyList<StoredComment> batch)
    {
        if (_tree is null) return;
        foreach (var c in batch) _tree.Add(RecentComments.Public(c.Comment));
    }

    public void Changed(Comment shown) => _tree?.Change(shown);

    /// <summary>Housekeeping: frees the tree of a thread nobody reads in these orders any more.</summary>
    public void DropIfIdle()
    {
        if (_tree is not null && _loading!.IsCompleted && time.GetUtcNow() - _lastRead > IdleLifetime) (_tree, _loading) = (null, null);
    }
}
