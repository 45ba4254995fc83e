namespace Chat.Grains.Threads;

/// <summary>
/// Every comment of a thread as readers see it, by parent, so that pages in an order other than seq
/// order (<see cref="CommentOrder"/>) are cut from memory: in "top" the first page holds the most
/// voted comments wherever they are in the log, which a seq-range read cannot give. Sorting is done
/// per page (a few thousand siblings sort in well under a millisecond); points change too often for
/// a kept order to pay off.
/// </summary>
internal sealed class CommentTree
{
    private readonly Dictionary<long, Comment> _bySeq = [];
    private readonly Dictionary<long, List<long>> _children = [];

    public int Count => _bySeq.Count;

    /// <summary>A comment read from the log or just settled: kept unless a newer version is here already.</summary>
    public void Add(Comment shown)
    {
        if (!_bySeq.TryAdd(shown.Seq, shown)) return;
        if (!_children.TryGetValue(shown.ParentSeq, out var siblings)) _children[shown.ParentSeq] = siblings = [];
        siblings.Add(shown.Seq);
    }

    /// <summary>A comment changed (edit, delete, vote, hide): its new version replaces the old.</summary>
    public void Change(Comment shown)
    {
        if (_bySeq.ContainsKey(shown.Seq)) _bySeq[shown.Seq] = shown;
        else Add(shown);
    }

    public OrderedPage Page(string order, long[]? roots, int limit, long lastSeq)
    {
        var compare = CommentOrder.Siblings(order);
        long[] all = roots is null ? Sorted(0, compare) : [];
        var wanted = roots ?? all;
        var comments = new List<Comment>(Math.Min(limit, _bySeq.Count));
        var served = new List<long>();
        var subtree = new List<Comment>();
        foreach (var root in wanted)
        {
            if (!_bySeq.TryGetValue(root, out var top) || top.ParentSeq != 0) continue;
            subtree.Clear();
            CollectSubtree(top, compare, subtree);
            // Whole subtrees only (a reader places replies under a parent it has), at least one.
            if (served.Count > 0 && comments.Count + subtree.Count > limit) break;
            comments.AddRange(subtree);
            served.Add(root);
        }
        return new OrderedPage([.. comments], all, [.. served], lastSeq);
    }

    /// <summary>Depth first, each parent's replies in the order; without recursion (threads nest deep).</summary>
    private void CollectSubtree(Comment top, Comparison<Comment> compare, List<Comment> into)
    {
        var stack = new Stack<long>();
        stack.Push(top.Seq);
        while (stack.Count > 0)
        {
            var seq = stack.Pop();
            into.Add(_bySeq[seq]);
            var children = Sorted(seq, compare);
            for (var i = children.Length - 1; i >= 0; i--) stack.Push(children[i]);
        }
    }

    private long[] Sorted(long parentSeq, Comparison<Comment> compare)
    {
        if (!_children.TryGetValue(parentSeq, out var seqs)) return [];
        var siblings = seqs.Select(s => _bySeq[s]).ToArray();
        Array.Sort(siblings, compare);
        return Array.ConvertAll(siblings, c => c.Seq);
    }
}
