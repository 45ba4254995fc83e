using Chat.Contracts.Search;

namespace Chat.Grains.Search;

/// <summary>
/// A shard's standing queries: which web nodes hold which queries (by key), each query compiled
/// once in the <see cref="StandingQueryMatcher"/> however many nodes hold it. Nodes refresh their
/// whole set on a timer; a node that stops (it died or left) is dropped after the expiry. Kept in
/// memory only: a shard that moves to another silo hears of each node again at the node's next
/// refresh, and meanwhile new comments are searchable but not pushed.
/// </summary>
/// <remarks>Not thread-safe: it lives in a grain.</remarks>
public sealed class StandingQueryNodes(TimeProvider time, TimeSpan expiry)
{
    private readonly StandingQueryMatcher _matcher = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _holders = new(StringComparer.Ordinal);

    /// <summary>Distinct queries matched per new document.</summary>
    public int Queries => _matcher.Count;

    public int Nodes => _nodes.Count;

    public void Watch(string nodeId, IStandingQueryObserver observer, StandingQuery[] queries, bool replace)
    {
        if (!_nodes.TryGetValue(nodeId, out var node)) _nodes[nodeId] = node = new Node(observer);
        node.Observer = observer;
        node.ExpiresAt = time.GetUtcNow() + expiry;
        var wanted = queries.DistinctBy(q => q.Key).ToList();
        if (replace)
            foreach (var key in node.Keys.Except(wanted.Select(q => q.Key)).ToList()) Release(node, key);
        foreach (var q in wanted)
        {
            if (!node.Keys.Add(q.Key)) continue;
            _holders[q.Key] = _holders.GetValueOrDefault(q.Key) + 1;
            _matcher.Add(q);
        }
        if (replace && node.Keys.Count == 0) _nodes.Remove(nodeId);
    }

    /// <summary>Drops the nodes that stopped refreshing; returns how many.</summary>
    public int Expire()
    {
        var now = time.GetUtcNow();
        var gone = _nodes.Where(n => n.Value.ExpiresAt <= now).Select(n => n.Key).ToList();
        foreach (var nodeId in gone)
        {
            var node = _nodes[nodeId];
            foreach (var key in node.Keys.ToList()) Release(node, key);
            _nodes.Remove(nodeId);
        }
        return gone.Count;
    }

    /// <summary>For each node with a matching query, its observer and the matches (key and query) of the document.</summary>
    public IEnumerable<(IStandingQueryObserver Observer, List<(string Key, SearchQuery Query)> Matches)> Match(SearchDocument doc)
    {
        var matches = _matcher.Match(doc);
        if (matches.Count == 0) yield break;
        foreach (var node in _nodes.Values)
        {
            var mine = matches.Where(m => node.Keys.Contains(m.Key)).ToList();
            if (mine.Count > 0) yield return (node.Observer, mine);
        }
    }

    public IEnumerable<IStandingQueryObserver> Observers() => _nodes.Values.Select(n => n.Observer);

    private void Release(Node node, string key)
    {
        node.Keys.Remove(key);
        var left = _holders.GetValueOrDefault(key) - 1;
        if (left > 0) _holders[key] = left;
        else
        {
            _holders.Remove(key);
            _matcher.Remove(key);
        }
    }

    private sealed class Node(IStandingQueryObserver observer)
    {
        public IStandingQueryObserver Observer { get; set; } = observer;
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset ExpiresAt { get; set; }
    }
}
