namespace Chat.Grains;

/// <summary>
/// The web nodes subscribed to one grain (a thread, the front page, a user's inbox), by node id, each
/// with its observer, its viewer count and when it expires. Nodes refresh on a timer; one that stops
/// (it died or left) is dropped once its expiry, measured on the chat's clock, has passed. In memory
/// only: after a grain moves, nodes find the new activation on their next refresh.
/// </summary>
/// <remarks>
/// Enumerating yields the observers with a struct enumerator, so a notification allocates nothing.
/// Not thread-safe: it lives in a grain.
/// </remarks>
public sealed class NodeSubscriptions<TObserver>(TimeProvider time, TimeSpan expiry)
    where TObserver : class
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    /// <summary>The viewers of every subscribed node, summed.</summary>
    public int Viewers { get; private set; }

    /// <summary>Subscribes or refreshes a node. Returns true if the summed viewer count changed.</summary>
    public bool Subscribe(string nodeId, TObserver observer, int viewers = 0)
    {
        _nodes[nodeId] = new Node(observer, Math.Max(0, viewers), time.GetUtcNow() + expiry);
        return Recount();
    }

    /// <summary>Returns true if the summed viewer count changed.</summary>
    public bool Unsubscribe(string nodeId) => _nodes.Remove(nodeId) && Recount();

    /// <summary>Drops the nodes whose expiry has passed. Returns true if the summed viewer count changed.</summary>
    public bool RemoveExpired()
    {
        var now = time.GetUtcNow();
        var removed = false;
        // Removing while enumerating is allowed for Dictionary (it does not invalidate the enumerator).
        foreach (var (nodeId, node) in _nodes)
            if (node.ExpiresAt < now) removed |= _nodes.Remove(nodeId);
        return removed && Recount();
    }

    public Enumerator GetEnumerator() => new(_nodes.Values.GetEnumerator());

    private bool Recount()
    {
        var viewers = 0;
        foreach (var node in _nodes.Values) viewers += node.Viewers;
        if (viewers == Viewers) return false;
        Viewers = viewers;
        return true;
    }

    internal sealed record Node(TObserver Observer, int Viewers, DateTimeOffset ExpiresAt);

    public struct Enumerator
    {
        private Dictionary<string, Node>.ValueCollection.Enumerator _nodes;

        internal Enumerator(Dictionary<string, Node>.ValueCollection.Enumerator nodes) => _nodes = nodes;

        public readonly TObserver Current => _nodes.Current.Observer;

        public bool MoveNext() => _nodes.MoveNext();
    }
}
