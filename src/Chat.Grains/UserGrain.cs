using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Chat.Grains.Users;

namespace Chat.Grains;

/// <summary>
/// One account. Posts pass through here on their way to the thread so that per-user rules have one
/// home in the cluster. Recent comments are saved lazily: losing the last few seconds of that list
/// in a crash loses no comment (the thread's log has them), and saving on every post would double
/// the storage writes of posting.
/// </summary>
[Reentrant]
public sealed class UserGrain(
    [PersistentState("user", ChatStorage.GrainStorageName)] IPersistentState<UserState> state,
    [PersistentState(SubscribedNodesState.Name, ChatStorage.GrainStorageName)] IPersistentState<SubscribedNodesState> inboxNodes,
    IOptions<LimitsOptions> limits,
    IOptions<InboxOptions> inboxOptions,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    PostStages stages,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int RecentCommentsKept = 30;
    private const int SnippetLength = 140;
    private LazyGrainState<UserState> _saved = null!;
    private ReadMarkBook _readMarks = null!;

    // One bucket per user in the cluster: the grain is the only place all of a user's posts pass.
    // In memory only: a reactivation refills it, which costs at most one extra burst.
    private readonly TokenBucket _posts = new(limits.Value.PostBurstPerUser, limits.Value.PostsPerSecondPerUser, time);

    // Votes get a bucket of their own (same rates as posts): reading and voting down a long thread
    // should not stop a user from replying.
    private readonly TokenBucket _votes = new(limits.Value.PostBurstPerUser, limits.Value.PostsPerSecondPerUser, time);

    private readonly Queue<DateTimeOffset> _failedLogins = new();

    private CommentFlagging? _flagging;

    // Web nodes holding pages of this user.
    private NodeSubscriptions<IInboxObserver> _inboxNodes = null!;

    // Past any earlier activation's: ticks grow far faster than changes are counted. The machine's
    // clock on purpose: this is a counter's seed, not a time, and must never repeat.
    private long _inboxVersion = DateTime.UtcNow.Ticks;

    private string UserName => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _saved = new LazyGrainState<UserState>(state, "user " + UserName, logger);
        _readMarks = new ReadMarkBook(() => state.State.ReadMarks ??= [], time);
        _inboxNodes = new NodeSubscriptions<IInboxObserver>(inboxNodes, GrainFactory, time, inboxOptions.Value.SubscriptionExpiry, "the nodes of user " + UserName, logger);
        _inboxNodes.Restore(UserName);
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { Interleave = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _saved.SaveIfDirtyAsync();
        await _inboxNodes.SaveAsync();
    }

    public Task<int> LoginLockedForSeconds()
    {
        var now = time.GetUtcNow();
        var window = limits.Value.FailedLoginWindow;
        while (_failedLogins.Count > 0 && _failedLogins.Peek() + window <= now) _failedLogins.Dequeue();
        if (_failedLogins.Count < limits.Value.FailedLoginsPerUser) return Task.FromResult(0);
        return Task.FromResult(Math.Max(1, (int)Math.Ceiling((_failedLogins.Peek() + window - now).TotalSeconds)));
    }

    public Task RecordLoginResult(bool succeeded)
    {
        if (succeeded) _failedLogins.Clear();
        else _failedLogins.Enqueue(time.GetUtcNow());
        return Task.CompletedTask;
    }

    private void TakePostToken(string what)
    {
        if (!_posts.TryTake(out var retryAfter)) throw ChatException.RateLimited(what, retryAfter);
    }

    public async Task<bool> Register(string passwordHash)
    {
        if (state.State.Exists || _saved.WriteInFlight) return false;
        state.State.Exists = true;
        state.State.PasswordHash = passwordHash;
        state.State.JoinedAt = time.GetUtcNow();
        try
        {
            await _saved.WriteAsync();
        }
        catch
        {
            state.State.Exists = false;
            throw;
        }
        return true;
    }

    public Task<bool> Exists() => Task.FromResult(state.State.Exists);

    public Task<string?> GetPasswordHash() => Task.FromResult(state.State.Exists ? state.State.PasswordHash : null);

    public async Task UpdatePasswordHash(string passwordHash)
    {
        EnsureExists();
        state.State.PasswordHash = passwordHash;
        _saved.MarkDirty();
        await _saved.SaveIfDirtyAsync();
    }

    public Task<UserProfile?> GetProfile() => Task.FromResult(state.State.Exists
        ? new UserProfile(UserName, state.State.JoinedAt, state.State.RecentComments.AsEnumerable().Reverse().ToArray(), state.State.Karma)
        : null);

    public async Task<Comment> EditComment(string threadId, long seq, string body)
    {
        EnsureExists();
        var comment = await GrainFactory.GetGrain<IThreadGrain>(threadId).EditComment(seq, UserName, body);
        var recent = state.State.RecentComments;
        var index = recent.FindIndex(r => r.ThreadId == threadId && r.Seq == seq);
        if (index >= 0)
        {
            recent[index] = recent[index] with { Snippet = Snippet(body) };
            _saved.MarkDirty();
        }
        return comment;
    }

    public async Task<Comment> DeleteComment(string threadId, long seq)
    {
        EnsureExists();
        var comment = await GrainFactory.GetGrain<IThreadGrain>(threadId).DeleteComment(seq, UserName);
        // A deleted comment's words must not live on on its author's page, nor in the inbox of the
        // one it replied to.
        if (state.State.RecentComments.RemoveAll(r => r.ThreadId == threadId && r.Seq == seq) > 0) _saved.MarkDirty();
        if (comment.ParentSeq > 0) ForgetReplyAsync(threadId, comment.ParentSeq, seq).Ignore();
        return comment;
    }

    public Task<long> Vote(string threadId, long seq, bool up)
    {
        EnsureExists();
        if (!_votes.TryTake(out var retryAfter)) throw ChatException.RateLimited("votes", retryAfter);
        return GrainFactory.GetGrain<IThreadGrain>(threadId).Vote(seq, UserName, up);
    }

    public Task ForgetComment(string threadId, long seq, long parentSeq)
    {
        if (state.State.RecentComments.RemoveAll(r => r.ThreadId == threadId && r.Seq == seq) > 0) _saved.MarkDirty();
        if (parentSeq > 0) ForgetReplyAsync(threadId, parentSeq, seq).Ignore();
        return Task.CompletedTask;
    }

    public Task AddKarma(long delta)
    {
        // Votes on a name that no longer exists (or a display name) have no account to credit.
        if (!state.State.Exists || delta == 0) return Task.CompletedTask;
        state.State.Karma += delta;
        _saved.MarkDirty();
        return Task.CompletedTask;
    }

    private static string Snippet(string body) => body.Length <= SnippetLength ? body : body[..SnippetLength] + "…";

    /// <summary>Off the deleting (or hiding) path: finds whom the reply was to, and takes it out of their inbox.</summary>
    private async Task ForgetReplyAsync(string threadId, long parentSeq, long seq)
    {
        try
        {
            var parent = (await GrainFactory.GetGrain<IThreadGrain>(threadId).GetComments(parentSeq - 1, 1)).Comments.FirstOrDefault();
            if (parent is { Deleted: false, Author.Length: > 0 } && parent.Seq == parentSeq && parent.Author != UserName)
                await GrainFactory.GetGrain<IUserGrain>(parent.Author).RemoveReply(threadId, seq);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Removing deleted reply {ThreadId}#{Seq} from an inbox failed", threadId, seq);
        }
    }

    public Task AddReply(InboxItem reply)
    {
        // A reply to a name without an account (demo content) has no inbox to land in.
        if (!state.State.Exists) return Task.CompletedTask;
        var inbox = state.State.Inbox;
        // A thread re-reading its log after a failed write may tell of the same reply twice.
        if (inbox.Any(i => i.ThreadId == reply.ThreadId && i.Seq == reply.Seq)) return Task.CompletedTask;
        // One-way calls may arrive out of order: keep the list in the order the replies were stored.
        var at = inbox.Count;
        while (at > 0 && IsLater(inbox[at - 1], reply)) at--;
        inbox.Insert(at, reply);
        _saved.MarkDirty();
        var size = Math.Max(1, inboxOptions.Value.Size);
        if (inbox.Count > size) inbox.RemoveRange(0, inbox.Count - size);
        SetUnread(state.State.InboxUnread + 1);
        return Task.CompletedTask;
    }

    public Task RemoveReply(string threadId, long seq)
    {
        var inbox = state.State.Inbox;
        var index = inbox.FindIndex(i => i.ThreadId == threadId && i.Seq == seq);
        if (index < 0) return Task.CompletedTask;
        inbox.RemoveAt(index);
        _saved.MarkDirty();
        // Unread are the newest (last) ones: was it one of them?
        var wasUnread = inbox.Count - index < state.State.InboxUnread;
        SetUnread(state.State.InboxUnread - (wasUnread ? 1 : 0));
        return Task.CompletedTask;
    }

    public Task<Inbox> GetInbox() => Task.FromResult(CurrentInbox());

    public Task<Inbox> MarkInboxRead()
    {
        EnsureExists();
        SetUnread(0);
        return Task.FromResult(CurrentInbox());
    }

    public Task<InboxStatus> SubscribeInbox(string nodeId, IInboxObserver observer)
    {
        if (state.State.Exists) _inboxNodes.Subscribe(nodeId, observer);
        return Task.FromResult(new InboxStatus(state.State.InboxUnread, _inboxVersion));
    }

    private static bool IsLater(InboxItem a, InboxItem b)
    {
        var order = a.CreatedAt.CompareTo(b.CreatedAt);
        if (order == 0) order = string.CompareOrdinal(a.ThreadId, b.ThreadId);
        return order == 0 ? a.Seq > b.Seq : order > 0;
    }

    public Task UnsubscribeInbox(string nodeId)
    {
        _inboxNodes.Unsubscribe(nodeId);
        return Task.CompletedTask;
    }

    private Inbox CurrentInbox() => new(state.State.Inbox.AsEnumerable().Reverse().ToArray(), state.State.InboxUnread);

    /// <summary>Saved lazily, like recent comments; every node with a page of this user hears of the new count.</summary>
    private void SetUnread(int unread)
    {
        unread = Math.Clamp(unread, 0, state.State.Inbox.Count);
        if (unread == state.State.InboxUnread) return;
        state.State.InboxUnread = unread;
        _saved.MarkDirty();
        var status = new InboxStatus(unread, ++_inboxVersion);
        foreach (var node in _inboxNodes) node.OnInbox(UserName, status).Ignore();
    }

    public async Task<long> PostComment(string threadId, long parentSeq, string body, string clientId)
    {
        EnsureExists();
        TakePostToken("posts");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var mentions = await Mentions.ResolveAsync(GrainFactory, body, UserName, limits.Value.MentionsPerComment);
        var seq = await GrainFactory.GetGrain<IThreadGrain>(threadId).Post(new NewComment(parentSeq, UserName, body, clientId, Mentions: mentions));
        stages.Since(PostStages.UserGrain, started);
        var recent = state.State.RecentComments;
        if (!recent.Any(r => r.ThreadId == threadId && r.Seq == seq))
        {
            recent.Add(new CommentRef(threadId, seq, Snippet(body), time.GetUtcNow()));
            if (recent.Count > RecentCommentsKept) recent.RemoveRange(0, recent.Count - RecentCommentsKept);
            _saved.MarkDirty();
        }
        if (_readMarks.OwnCommentPosted(threadId, seq)) _saved.MarkDirty();
        return seq;
    }

    public Task<ReadMark[]> GetReadMarks(string[] threadIds)
    {
        if (threadIds.Length > ReadMark.MaxThreadsPerRequest) throw ChatException.Invalid($"At most {ReadMark.MaxThreadsPerRequest} threads at a time.");
        return Task.FromResult(_readMarks.Get(threadIds));
    }

    public async Task<ReadMark> MarkRead(string threadId, long seq)
    {
        if (Limits.CheckThreadId(threadId) is { } error) throw ChatException.Invalid(error);
        if (seq < 0) throw ChatException.Invalid("seq must be 0 or more.");
        EnsureExists();
        if (_readMarks.Of(threadId) is { } mark && mark >= seq) return new ReadMark(threadId, mark);
        // Only a mark that moves asks the thread: it must exist and have the seq (a page reports
        // every few seconds at most, and only when the reader has read further).
        var lastSeq = (await GrainFactory.GetGrain<IThreadGrain>(threadId).GetInfo()).LastSeq;
        if (seq > lastSeq) throw ChatException.Invalid($"seq {seq} is past the thread's last comment ({lastSeq}).");
        if (_readMarks.Advance(threadId, seq)) _saved.MarkDirty();
        return new ReadMark(threadId, _readMarks.Of(threadId) ?? seq);
    }

    public async Task<FlagResult> FlagComment(string threadId, long seq, string reason)
    {
        EnsureExists();
        _flagging ??= new CommentFlagging(GrainFactory, state.State, limits.Value, time);
        var (result, changed) = await _flagging.FlagAsync(UserName, threadId, seq, reason);
        if (changed) _saved.MarkDirty();
        return result;
    }

    public Task<ThreadInfo> CreateThread(string title, string? url, string? body, string clientId)
    {
        if (Limits.CheckClientId(clientId) is { } clientIdError) throw ChatException.Invalid(clientIdError);
        EnsureExists();
        TakePostToken("posts");
        return GrainFactory.GetGrain<IThreadGrain>(ThreadIdOf(UserName, clientId)).Create(new NewThread(title, url, body, UserName, clientId));
    }

    public Task<ThreadInfo> CreateThread(string title, string? url, string? body) => CreateThread(title, url, body, Guid.NewGuid().ToString("N"));

    /// <summary>
    /// The thread id of a creation, derived from (user, clientId), so that a retry reaches the thread
    /// the first attempt stored. Derived rather than remembered: nothing to save before the thread
    /// exists (a remembered id saved lazily could be lost in a crash, and a retry would then create
    /// a second thread), and nothing to bound.
    /// </summary>
    private static string ThreadIdOf(string userName, string clientId) => Limits.ThreadIdOf(userName + "\n" + clientId);

    private Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _inboxNodes.RemoveExpired();
        return _saved.SaveIfDirtyAsync();
    }

    private void EnsureExists()
    {
        if (!state.State.Exists) throw ChatException.NotFound($"There is no user {UserName}.");
    }
}
