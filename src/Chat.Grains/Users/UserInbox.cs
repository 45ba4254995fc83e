using Chat.Grains.Nodes;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Users;

/// <summary>
/// A user's inbox: replies to their comments and mentions of them, the newest <see cref="InboxOptions.Size"/>
/// in the user's state (saved lazily, like recent comments: a crash can lose the last few seconds of
/// notifications, never a comment), with an unread count that every web node holding a page of
/// the user hears of when it changes.
/// </summary>
internal sealed class UserInbox
{
    private readonly string _userName;
    private readonly IPersistentState<UserState> _state;
    private readonly LazyGrainState<UserState> _saved;
    private readonly IGrainFactory _grains;
    private readonly InboxOptions _options;
    private readonly ILogger _logger;

    // Web nodes holding pages of this user.
    private readonly NodeSubscriptions<IInboxObserver> _nodes;

    // Past any earlier activation's: ticks grow far faster than changes are counted. The machine's
    // clock on purpose: this is a counter's seed, not a time, and must never repeat.
    private long _version = DateTime.UtcNow.Ticks;

    public UserInbox(string userName, IPersistentState<UserState> state, LazyGrainState<UserState> saved, IPersistentState<SubscribedNodesState> nodes,
        IGrainFactory grains, InboxOptions options, TimeProvider time, ILogger logger)
    {
        (_userName, _state, _saved, _grains, _options, _logger) = (userName, state, saved, grains, options, logger);
        _nodes = new NodeSubscriptions<IInboxObserver>(nodes, grains, time, options.SubscriptionExpiry, "the nodes of user " + userName, logger);
    }

    private List<InboxItem> Items => _state.State.Inbox;

    /// <summary>On activation: the nodes subscribed to an earlier activation are told at once.</summary>
    public void Restore() => _nodes.Restore(_userName);

    /// <summary>Housekeeping: drops nodes that stopped refreshing.</summary>
    public void RemoveExpired() => _nodes.RemoveExpired();

    public Task SaveNodesAsync() => _nodes.SaveAsync();

    public Inbox Current() => new(Items.AsEnumerable().Reverse().ToArray(), _state.State.InboxUnread);

    public void Add(InboxItem reply)
    {
        // A reply to a name without an account (demo content) has no inbox to land in.
        if (!_state.State.Exists) return;
        // A thread re-reading its log after a failed write may tell of the same reply twice.
        if (Items.Any(i => i.ThreadId == reply.ThreadId && i.Seq == reply.Seq && i.Kind != InboxItem.FollowedKind)) return;
        // One-way calls may arrive out of order: keep the list in the order the replies were stored.
        var at = Items.Count;
        while (at > 0 && IsLater(Items[at - 1], reply)) at--;
        Items.Insert(at, reply);
        _saved.MarkDirty();
        var size = Math.Max(1, _options.Size);
        if (Items.Count > size) Items.RemoveRange(0, Items.Count - size);
        SetUnread(_state.State.InboxUnread + 1);
    }

    public void Remove(string threadId, long seq)
    {
        var index = Items.FindIndex(i => i.ThreadId == threadId && i.Seq == seq && i.Kind != InboxItem.FollowedKind);
        RemoveAt(index);
    }

    /// <summary>
    /// New comments in a followed thread: one item per thread, counting up, moved to the top and
    /// unread. Its first seq stays that of the first comment not seen yet (the link goes there).
    /// </summary>
    public void AddFollowed(string threadId, string threadTitle, long firstSeq, int count, DateTimeOffset now)
    {
        if (!_state.State.Exists || count <= 0) return;
        var index = Items.FindIndex(i => i.ThreadId == threadId && i.Kind == InboxItem.FollowedKind);
        var unread = _state.State.InboxUnread;
        var item = new InboxItem(threadId, threadTitle, firstSeq, 0, "", "", now, InboxItem.FollowedKind, count);
        if (index >= 0)
        {
            var old = Items[index];
            if (Items.Count - index <= unread) unread--;
            Items.RemoveAt(index);
            item = item with { Seq = Math.Min(old.Seq, firstSeq), Count = (old.Count ?? 0) + count };
        }
        Items.Add(item);
        var size = Math.Max(1, _options.Size);
        if (Items.Count > size) Items.RemoveRange(0, Items.Count - size);
        _saved.MarkDirtyMayWait(); // a count: FollowedSaveDelay
        // Always told: a count that went up changes what the inbox shows even when the unread figure stays.
        SetUnread(unread + 1, always: true, mayWait: true);
    }

    /// <summary>The user opened the thread: its followed item has done its job.</summary>
    public void ClearFollowed(string threadId) => RemoveAt(Items.FindIndex(i => i.ThreadId == threadId && i.Kind == InboxItem.FollowedKind));

    private void RemoveAt(int index)
    {
        if (index < 0) return;
        Items.RemoveAt(index);
        _saved.MarkDirty();
        // Unread are the newest (last) ones: was it one of them?
        var wasUnread = Items.Count - index < _state.State.InboxUnread;
        SetUnread(_state.State.InboxUnread - (wasUnread ? 1 : 0));
    }

    public Inbox MarkRead()
    {
        SetUnread(0);
        return Current();
    }

    public InboxStatus Subscribe(string nodeId, IInboxObserver observer)
    {
        if (_state.State.Exists) _nodes.Subscribe(nodeId, observer);
        return new InboxStatus(_state.State.InboxUnread, _version);
    }

    public void Unsubscribe(string nodeId) => _nodes.Unsubscribe(nodeId);

    /// <summary>
    /// Off the deleting (or hiding) path: finds whom this user's reply seq was to, and takes it out
    /// of their inbox (a deleted reply's words must not live on there).
    /// </summary>
    public async Task TakeBackReplyAsync(string threadId, long parentSeq, long seq)
    {
        try
        {
            var parent = (await _grains.GetGrain<IThreadGrain>(threadId).GetComments(parentSeq - 1, 1)).Comments.FirstOrDefault();
            if (parent is { Deleted: false, Author.Length: > 0 } && parent.Seq == parentSeq && parent.Author != _userName)
                await _grains.GetGrain<IUserGrain>(parent.Author).RemoveReply(threadId, seq);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Removing deleted reply {ThreadId}#{Seq} from an inbox failed", threadId, seq);
        }
    }

    private static bool IsLater(InboxItem a, InboxItem b)
    {
        var order = a.CreatedAt.CompareTo(b.CreatedAt);
        if (order == 0) order = string.CompareOrdinal(a.ThreadId, b.ThreadId);
        return order == 0 ? a.Seq > b.Seq : order > 0;
    }

    /// <summary>Saved lazily; every node with a page of this user hears of the new count.</summary>
    /// <param name="mayWait">The change may wait for its save (a followed thread's count).</param>
    private void SetUnread(int unread, bool always = false, bool mayWait = false)
    {
        unread = Math.Clamp(unread, 0, Items.Count);
        if (unread == _state.State.InboxUnread && !always) return;
        _state.State.InboxUnread = unread;
        if (mayWait) _saved.MarkDirtyMayWait(); else _saved.MarkDirty();
        var status = new InboxStatus(unread, ++_version);
        foreach (var node in _nodes) node.OnInbox(_userName, status).Ignore();
    }
}
