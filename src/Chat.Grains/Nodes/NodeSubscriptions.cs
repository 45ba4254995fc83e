using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Chat.Grains.Nodes;

/// <summary>
/// The web nodes subscribed to one grain (a thread, the front page, a user's inbox), by node id, each
/// with its observer, its viewer count and when it expires. Nodes refresh on a timer; one that stops
/// (it died or left) is dropped once its expiry, measured on the chat's clock, has passed.
/// Who is subscribed is also kept in the grain's <see cref="SubscribedNodesState"/>, so that the
/// grain's next activation (after a crash, a shutdown or a move) pushes to the same nodes at once,
/// instead of waiting for each node's next refresh to find it.
/// </summary>
/// <remarks>
/// Written only when the set of nodes changes (a node's first subscribe, an unsubscribe, an expiry),
/// never for a refresh or a viewer count, and in the background: a subscribe never waits for
/// storage, nor fails with it. A failed write is logged and retried by the grain's housekeeping;
/// meanwhile the subscriptions work from memory, and a crash before the write costs what it cost
/// before: the nodes find the grain at their next refresh.
/// Enumerating yields the observers with a struct enumerator, so a notification allocates nothing.
/// Not thread-safe: it lives in a grain.
/// </remarks>
public sealed class NodeSubscriptions<TObserver> where TObserver : class, INodeObserver
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly IPersistentState<SubscribedNodesState> _state;
    private readonly LazyGrainState<SubscribedNodesState> _saved;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly TimeSpan _expiry;
    private readonly string _what;
    private readonly ILogger _logger;
    private Task _saving = Task.CompletedTask;

    /// <param name="what">Names the set in log messages ("the nodes of thread abc").</param>
    public NodeSubscriptions(IPersistentState<SubscribedNodesState> state, IGrainFactory grains, TimeProvider time, TimeSpan expiry, string what, ILogger logger)
    {
        (_state, _grains, _time, _expiry, _what, _logger) = (state, grains, time, expiry, what, logger);
        _saved = new LazyGrainState<SubscribedNodesState>(state, what, logger,
            () =>
            {
                state.State.Nodes = _nodes.ToDictionary(n => n.Key, n => n.Value.ObserverId.ToString(), StringComparer.Ordinal);
                state.State.AnswerReactivated = _nodes.Where(n => n.Value.AnswersReactivated).Select(n => n.Key).ToHashSet(StringComparer.Ordinal);
            });
    }

    /// <summary>The viewers of every subscribed node, summed.</summary>
    public int Viewers { get; private set; }

    /// <summary>
    /// On activation: takes back the nodes subscribed to an earlier activation, each with a fresh
    /// expiry (a node that is gone expires as usual) and no viewers yet, and asks each to subscribe
    /// again now, which reports its viewers and fills in what it missed while the grain was away.
    /// </summary>
    /// <param name="key">The grain's key, as the nodes' relays know it.</param>
    public void Restore(string key)
    {
        var expiresAt = _time.GetUtcNow() + _expiry;
        foreach (var (nodeId, observerId) in _state.State.Nodes)
        {
            if (!GrainId.TryParse(observerId, out var id))
            {
                _logger.LogWarning("Dropping node {NodeId} from {What}: its observer {ObserverId} is not a grain id", nodeId, _what, observerId);
                _saved.MarkDirty();
                continue;
            }
            var observer = _grains.GetGrain(id).AsReference<TObserver>();
            var answers = _state.State.AnswerReactivated.Contains(nodeId);
            _nodes[nodeId] = new Node(observer, id, answers, 0, expiresAt);
            // A node of 0.1.0 cannot decode this call: it finds this activation at its next refresh.
            if (answers) observer.OnReactivated(key).Ignore();
        }
    }

    /// <summary>
    /// Subscribes or refreshes a node, in the node's subscribe call (which says what the node's
    /// observer answers, <see cref="NodeObserverProtocol"/>). Returns true if the summed viewer count changed.
    /// </summary>
    public bool Subscribe(string nodeId, TObserver observer, int viewers = 0)
    {
        var id = observer.GetGrainId();
        var answers = NodeObserverProtocol.OfCaller() >= 1;
        var joined = !_nodes.TryGetValue(nodeId, out var known) || known.ObserverId != id || known.AnswersReactivated != answers;
        _nodes[nodeId] = new Node(observer, id, answers, Math.Max(0, viewers), _time.GetUtcNow() + _expiry);
        if (joined) SetChanged();
        return Recount();
    }

    /// <summary>Returns true if the summed viewer count changed.</summary>
    public bool Unsubscribe(string nodeId)
    {
        if (!_nodes.Remove(nodeId)) return false;
        SetChanged();
        return Recount();
    }

    /// <summary>
    /// For the grain's housekeeping: drops the nodes whose expiry has passed, and retries a save of
    /// the set that failed. Returns true if the summed viewer count changed.
    /// </summary>
    public bool RemoveExpired()
    {
        var now = _time.GetUtcNow();
        var removed = false;
        // Removing while enumerating is allowed for Dictionary (it does not invalidate the enumerator).
        foreach (var (nodeId, node) in _nodes)
            if (node.ExpiresAt < now) removed |= _nodes.Remove(nodeId);
        if (removed) _saved.MarkDirty();
        SaveSoon();
        return removed && Recount();
    }

    /// <summary>
    /// On deactivation: the set as it is now goes to storage for the next activation. A write on its
    /// way writes again if the set changed meanwhile; one that fails is not tried again here, so a
    /// storage outage does not hold a stopping silo up.
    /// </summary>
    public Task SaveAsync()
    {
        SaveSoon();
        return _saving;
    }

    public Enumerator GetEnumerator() => new(_nodes.Values.GetEnumerator());

    private void SetChanged()
    {
        _saved.MarkDirty();
        SaveSoon();
    }

    /// <summary>One write at a time: changes made while one is on its way go out together in the next.</summary>
    private void SaveSoon()
    {
        if (_saving.IsCompleted && _saved.Dirty) _saving = WriteWhileDirtyAsync();
    }

    private async Task WriteWhileDirtyAsync()
    {
        try
        {
            while (_saved.Dirty) await _saved.WriteAsync();
        }
        catch (InconsistentStateException ex)
        {
            // Another activation wrote since this one read (two lived for a moment after a silo was
            // cut off), and again while LazyGrainState wrote over it. This one is the one in the
            // directory: take the stored ETag, so that the retry writes this activation's set.
            _logger.LogWarning(ex, "Saving {What} met another activation's write; the next housekeeping writes this one's", _what);
            try { await _state.ReadStateAsync(); }
            catch (Exception readEx) { _logger.LogWarning(readEx, "Reading {What} again failed", _what); }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Saving {What} failed; the subscriptions work from memory, and housekeeping retries", _what);
        }
    }

    private bool Recount()
    {
        var viewers = 0;
        foreach (var node in _nodes.Values) viewers += node.Viewers;
        if (viewers == Viewers) return false;
        Viewers = viewers;
        return true;
    }

    internal sealed record Node(TObserver Observer, GrainId ObserverId, bool AnswersReactivated, int Viewers, DateTimeOffset ExpiresAt);

    public struct Enumerator
    {
        private Dictionary<string, Node>.ValueCollection.Enumerator _nodes;

        internal Enumerator(Dictionary<string, Node>.ValueCollection.Enumerator nodes) => _nodes = nodes;

        public readonly TObserver Current => _nodes.Current.Observer;

        public bool MoveNext() => _nodes.MoveNext();
    }
}
