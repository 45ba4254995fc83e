using Chat.Grains.Nodes;
using Chat.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// The web nodes with readers of one thread, and everything the thread pushes to them. Every push is
/// one-way: it returns at once, and a dead node costs nothing but its expiry. Comments and their
/// changes are counted in <see cref="ChatMetrics"/> (one notification per node), the rest is not.
/// </summary>
internal sealed class ThreadNodes(string threadId, IPersistentState<SubscribedNodesState> state, IGrainFactory grains, TimeProvider time,
    TimeSpan expiry, ChatMetrics metrics, ILogger logger)
{
    private readonly NodeSubscriptions<IThreadObserver> _nodes = new(state, grains, time, expiry, "the nodes of thread " + threadId, logger);

    /// <summary>The viewers of every subscribed node, summed.</summary>
    public int Viewers => _nodes.Viewers;

    /// <summary>On activation (last, so that a node subscribing again at once finds the thread recovered).</summary>
    public void Restore() => _nodes.Restore(threadId);

    public Task SaveAsync() => _nodes.SaveAsync();

    public void Subscribe(string nodeId, IThreadObserver observer, int viewers)
    {
        if (_nodes.Subscribe(nodeId, observer, viewers)) TellViewers();
    }

    public void Unsubscribe(string nodeId)
    {
        if (_nodes.Unsubscribe(nodeId)) TellViewers();
    }

    /// <summary>Housekeeping: nodes that stopped refreshing go, and the viewer count with them.</summary>
    public void RemoveExpired()
    {
        if (_nodes.RemoveExpired()) TellViewers();
    }

    /// <summary>A settled batch, to every node once.</summary>
    public void Comments(IReadOnlyList<StoredComment> batch)
    {
        var comments = new Comment[batch.Count];
        for (var i = 0; i < comments.Length; i++) comments[i] = batch[i].Comment;
        foreach (var node in _nodes)
        {
            node.OnComments(threadId, comments).Ignore();
            metrics.ObserverNotificationSent();
        }
    }

    /// <summary>A stored comment's new version (edited, deleted, voted on, hidden).</summary>
    public void Updated(Comment shown)
    {
        Comment[] update = [shown];
        foreach (var node in _nodes)
        {
            node.OnUpdates(threadId, update).Ignore();
            metrics.ObserverNotificationSent();
        }
    }

    public void ThreadPoints(long points)
    {
        foreach (var node in _nodes) node.OnThreadPoints(threadId, points).Ignore();
    }

    public void Locked(bool locked)
    {
        foreach (var node in _nodes) node.OnThreadLocked(threadId, locked).Ignore();
    }

    public void Typing(string userName, long parentSeq)
    {
        foreach (var node in _nodes) node.OnTyping(threadId, userName, parentSeq).Ignore();
    }

    private void TellViewers()
    {
        foreach (var node in _nodes) node.OnViewers(threadId, _nodes.Viewers).Ignore();
    }
}
