using Chat.Grains.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Chat.Grains;

/// <summary>
/// One account. Posts pass through here on their way to the thread so that per-user rules have one
/// home in the cluster. The grain checks that the account exists and hands each job to a
/// collaborator in Users/: the account and its sign-in throttle, the post gate, the user's page
/// (recent comments, karma), the inbox, read marks, flags, and what the user controls (mutes, quiet
/// comments, follows: <see cref="ReaderControls"/>, which the inbox consults). All but the account are saved lazily
/// (a timer and deactivation): none of them holds a comment, which only the thread's log does.
/// </summary>
[Reentrant]
[Immovable(ImmovableKind.Rebalancer)] // only threads are moved by a rebalancer: they hand their memory over
public sealed class UserGrain(
    [PersistentState("user", ChatStorage.GrainStorageName)] IPersistentState<UserState> state,
    [PersistentState(SubscribedNodesState.Name, ChatStorage.GrainStorageName)] IPersistentState<SubscribedNodesState> inboxNodes,
    IOptions<LimitsOptions> limits,
    IOptions<InboxOptions> inboxOptions,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    PostStages stages,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private readonly LoginThrottle _logins = new(limits.Value, time);
    private readonly UserPage _page = new(state);
    private LazyGrainState<UserState> _saved = null!;
    private Account _account = null!;
    private PostGate _gate = null!;
    private UserInbox _inbox = null!;
    private ReadMarkBook _readMarks = null!;
    private CommentFlagging? _flagging;
    private ReaderControls _controls = null!;

    private string UserName => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _saved = new LazyGrainState<UserState>(state, "user " + UserName, logger);
        _account = new Account(state, _saved, time);
        _gate = new PostGate(GrainFactory, limits.Value, time);
        _readMarks = new ReadMarkBook(() => state.State.ReadMarks ??= [], time);
        _inbox = new UserInbox(UserName, state, _saved, inboxNodes, GrainFactory, inboxOptions.Value, time, logger);
        _inbox.Restore();
        _controls = new ReaderControls(UserName, state, _saved, _inbox, GrainFactory, time, logger);
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { Interleave = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _saved.SaveIfDirtyAsync();
        await _inbox.SaveNodesAsync();
    }

    public Task<int> LoginLockedForSeconds() => Task.FromResult(_logins.LockedForSeconds());

    public Task RecordLoginResult(bool succeeded) => Done(() => _logins.Record(succeeded));

    public Task<bool> Register(string passwordHash) => _account.RegisterAsync(passwordHash);

    public Task<bool> Exists() => Task.FromResult(_account.Exists);

    public Task<string?> GetPasswordHash() => Task.FromResult(_account.PasswordHash);

    public Task UpdatePasswordHash(string passwordHash) => Checked(() => _account.UpdatePasswordHashAsync(passwordHash));

    public Task<UserProfile?> GetProfile() => Task.FromResult(_page.Profile(UserName));

    public async Task<long> PostComment(string threadId, long parentSeq, string body, string clientId)
    {
        _account.EnsureExists(UserName);
        _gate.TakePost();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var mentions = await _gate.MentionsAsync(body, UserName);
        var seq = await Thread(threadId).Post(new NewComment(parentSeq, UserName, body, clientId, Mentions: mentions));
        stages.Since(PostStages.UserGrain, started);
        if (_page.Posted(threadId, seq, body, time.GetUtcNow())) _saved.MarkDirty();
        if (_readMarks.OwnCommentPosted(threadId, seq)) _saved.MarkDirty();
        _controls.Joined(threadId);
        return seq;
    }

    public async Task<Comment> EditComment(string threadId, long seq, string body)
    {
        _account.EnsureExists(UserName);
        var comment = await Thread(threadId).EditComment(seq, UserName, body);
        if (_page.Edited(threadId, seq, body)) _saved.MarkDirty();
        return comment;
    }

    public async Task<Comment> DeleteComment(string threadId, long seq)
    {
        _account.EnsureExists(UserName);
        var comment = await Thread(threadId).DeleteComment(seq, UserName);
        Forget(threadId, seq, comment.ParentSeq);
        return comment;
    }

    /// <summary>A moderator hid one of this user's comments (one-way, from the thread).</summary>
    public Task ForgetComment(string threadId, long seq, long parentSeq) => Done(() => Forget(threadId, seq, parentSeq));

    /// <summary>A deleted or hidden comment leaves its author's page, and the inbox of the one it replied to.</summary>
    private void Forget(string threadId, long seq, long parentSeq)
    {
        if (_page.Forgotten(threadId, seq)) _saved.MarkDirty();
        if (parentSeq > 0) _inbox.TakeBackReplyAsync(threadId, parentSeq, seq).Ignore();
    }

    public Task<long> Vote(string threadId, long seq, bool up) => Checked(() =>
    {
        _gate.TakeVote();
        return Thread(threadId).Vote(seq, UserName, up);
    });

    public Task AddKarma(long delta) => Done(() => { if (_page.AddKarma(delta)) _saved.MarkDirty(); });

    /// <summary>Not from someone this user muted, nor a reply to a comment they quieted.</summary>
    public Task AddReply(InboxItem reply) => Done(() => { if (!_controls.Blocks(reply)) _inbox.Add(reply); });

    public Task RemoveReply(string threadId, long seq) => Done(() => _inbox.Remove(threadId, seq));

    public Task AddFollowed(string threadId, string threadTitle, long firstSeq, int count) => Done(() => _controls.Followed(threadId, threadTitle, firstSeq, count));

    public Task SetMute(string userName, bool mute) => Checked(() => _controls.MuteAsync(userName, mute));

    public Task SetQuiet(string threadId, long seq, bool quiet) => Checked(() => _controls.SetQuietAsync(threadId, seq, quiet));

    public Task SetFollow(string threadId, bool follow) => Checked(() => _controls.SetFollowAsync(threadId, follow));

    public Task<ReaderControlsView> GetControls() => Task.FromResult(_controls.View());

    public Task<ReaderSettings> SetAutoFollow(bool autoFollow) => Checked(() => _controls.SetAutoFollowAsync(autoFollow));

    public Task<Inbox> GetInbox() => Task.FromResult(_inbox.Current());

    public Task<Inbox> MarkInboxRead() => Checked(() => Task.FromResult(_inbox.MarkRead()));

    public Task<InboxStatus> SubscribeInbox(string nodeId, IInboxObserver observer) => Task.FromResult(_inbox.Subscribe(nodeId, observer));

    public Task UnsubscribeInbox(string nodeId) => Done(() => _inbox.Unsubscribe(nodeId));

    public Task<ReadMark[]> GetReadMarks(string[] threadIds) => Task.FromResult(_readMarks.Get(threadIds));

    public async Task<ReadMark> MarkRead(string threadId, long seq)
    {
        ReadMarkBook.Check(threadId, seq);
        _account.EnsureExists(UserName);
        var (mark, changed) = await _readMarks.MarkReadAsync(Thread(threadId), threadId, seq);
        if (changed) _saved.MarkDirty();
        _inbox.ClearFollowed(threadId);
        return mark;
    }

    public async Task<FlagResult> FlagComment(string threadId, long seq, string reason)
    {
        _account.EnsureExists(UserName);
        _flagging ??= new CommentFlagging(GrainFactory, state.State, limits.Value, time);
        var (result, changed) = await _flagging.FlagAsync(UserName, threadId, seq, reason);
        if (changed) _saved.MarkDirty();
        return result;
    }

    public async Task<ThreadInfo> CreateThread(string title, string? url, string? body, string clientId)
    {
        if (Limits.CheckClientId(clientId) is { } clientIdError) throw ChatException.Invalid(clientIdError);
        _account.EnsureExists(UserName);
        _gate.TakePost();
        var info = await ThreadCreation.CreateAsync(GrainFactory, UserName, title, url, body, clientId);
        _controls.Joined(info.Id);
        return info;
    }

    public Task<ThreadInfo> CreateThread(string title, string? url, string? body) => CreateThread(title, url, body, Guid.NewGuid().ToString("N"));

    private IThreadGrain Thread(string threadId) => GrainFactory.GetGrain<IThreadGrain>(threadId);

    private static Task Done(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    /// <summary>Changes only by an existing account.</summary>
    private T Checked<T>(Func<T> change)
    {
        _account.EnsureExists(UserName);
        return change();
    }

    private Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _inbox.RemoveExpired();
        return _saved.SaveIfDirtyAsync(mayWait: inboxOptions.Value.FollowedSaveDelay);
    }
}
