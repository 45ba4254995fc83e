namespace Chat.Contracts;

/// <summary>
/// One account (key: normalized user name). Holds the password hash (hashed by the web tier with
/// ASP.NET Core's PasswordHasher, so the grain never sees a password) and recent activity; posts go
/// through it so that per-user rules (rate limits, recent comments) have one home in the cluster.
/// </summary>
[Alias("Chat.IUserGrain")]
// Raised by a release that adds methods; unchanged since 0.1.0 (docs/operations.md, "Upgrades").
[Orleans.CodeGeneration.Version(0)]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>False if the name is taken.</summary>
    [Alias("Register")]
    Task<bool> Register(string passwordHash);

    /// <summary>Whether the account exists (an "@name" names a user only then).</summary>
    [Alias("Exists")]
    Task<bool> Exists();

    /// <summary>Null if there is no such user.</summary>
    [Alias("GetPasswordHash")]
    Task<string?> GetPasswordHash();

    [Alias("UpdatePasswordHash")]
    Task UpdatePasswordHash(string passwordHash);

    /// <summary>Null if there is no such user.</summary>
    [Alias("GetProfile")]
    Task<UserProfile?> GetProfile();

    /// <summary>
    /// Seconds this name is locked out of signing in after too many failed attempts (0 = not locked).
    /// Kept in the grain so the lockout holds cluster-wide, whichever web node the attempts hit.
    /// </summary>
    [Alias("LoginLockedForSeconds")]
    Task<int> LoginLockedForSeconds();

    [Alias("RecordLoginResult")]
    Task RecordLoginResult(bool succeeded);

    /// <summary>
    /// Posts as this user to a thread and records it among the user's recent comments. "@name"s of
    /// existing users other than this one become the comment's mentions (at most
    /// Chat:Limits:MentionsPerComment), and each of them hears of it in their inbox.
    /// </summary>
    [Alias("PostComment"), ResponseTimeout(Limits.PostResponseTimeout)]
    Task<long> PostComment(string threadId, long parentSeq, string body, string clientId);

    /// <summary>Edits one of this user's comments (and the snippet on the user's page).</summary>
    [Alias("EditComment")]
    Task<Comment> EditComment(string threadId, long seq, string body);

    /// <summary>Deletes one of this user's comments (and drops it from the user's page).</summary>
    [Alias("DeleteComment")]
    Task<Comment> DeleteComment(string threadId, long seq);

    /// <summary>
    /// Votes as this user (seq 0 = the thread). Through here, not straight to the thread, so that
    /// a user's votes are rate-limited cluster-wide: each one is a storage transaction, taken one
    /// at a time by the thread, so a toggling bot must not crowd out everyone else's votes.
    /// </summary>
    [Alias("Vote")]
    Task<long> Vote(string threadId, long seq, bool up);

    /// <summary>
    /// Up-votes on this user's comments and threads came or went. One-way from the thread grain:
    /// karma is a display figure and must never hold up a vote.
    /// </summary>
    [OneWay, Alias("AddKarma")]
    Task AddKarma(long delta);

    /// <summary>
    /// A moderator hid one of this user's comments: it leaves the user's page, and (when it was a
    /// reply) the inbox of the one it replied to. One-way from the thread grain, like karma.
    /// </summary>
    [OneWay, Alias("ForgetComment")]
    Task ForgetComment(string threadId, long seq, long parentSeq);

    /// <summary>
    /// Flags someone else's comment for moderators, for one of <see cref="Flags.Reasons"/>. Once per
    /// comment: a repeat changes nothing and says so (<see cref="FlagResult.AlreadyFlagged"/>).
    /// Rate-limited per user, cluster-wide (Chat:Limits:FlagsPerMinutePerUser).
    /// </summary>
    [Alias("FlagComment")]
    Task<FlagResult> FlagComment(string threadId, long seq, string reason);

    /// <summary>
    /// Creates a thread authored by this user. clientId names this creation (1 to 64 characters,
    /// reused when retrying it): a retry after a failure gets the same thread, never a second one.
    /// </summary>
    /// <remarks>A new alias: the parameter list changed, and an alias names one parameter list.</remarks>
    [Alias("CreateThreadWithClientId")]
    Task<ThreadInfo> CreateThread(string title, string? url, string? body, string clientId);

    /// <summary>
    /// The previous version's call, kept under its old alias so that web nodes of that version still
    /// create threads during a rolling upgrade: a creation of its own each time (a fresh clientId).
    /// </summary>
    [Alias("CreateThread")]
    Task<ThreadInfo> CreateThread(string title, string? url, string? body);

    /// <summary>
    /// Someone replied to one of this user's comments, or mentioned this user (<see cref="InboxItem.Kind"/>).
    /// One-way from the thread grain, after the comment is stored: a notification must never hold up
    /// posting. One item per comment: a second notice of the same comment is ignored.
    /// </summary>
    [OneWay, Alias("AddReply")]
    Task AddReply(InboxItem reply);

    /// <summary>The reply was deleted: its words leave the inbox too. One-way, like AddReply.</summary>
    [OneWay, Alias("RemoveReply")]
    Task RemoveReply(string threadId, long seq);

    /// <summary>The replies to this user's comments, newest first, and how many are unread.</summary>
    [Alias("GetInbox")]
    Task<Inbox> GetInbox();

    /// <summary>Marks every reply read. Returns the inbox as it is now (unread 0).</summary>
    [Alias("MarkInboxRead")]
    Task<Inbox> MarkInboxRead();

    /// <summary>
    /// Subscribes (or refreshes) a web node that holds pages of this user; it hears of every change of
    /// the unread count until it stops refreshing (<c>Chat:Inbox:SubscriptionExpiry</c>). Returns the
    /// unread count now.
    /// </summary>
    [Alias("SubscribeInbox")]
    Task<InboxStatus> SubscribeInbox(string nodeId, IInboxObserver observer);

    [Alias("UnsubscribeInbox")]
    Task UnsubscribeInbox(string nodeId);

    /// <summary>
    /// The read marks of those of threadIds this user has visited (at most
    /// <see cref="ReadMark.MaxThreadsPerRequest"/> ids); a thread never visited has none.
    /// </summary>
    [Alias("GetReadMarks")]
    Task<ReadMark[]> GetReadMarks(string[] threadIds);

    /// <summary>
    /// This user has read the thread up to seq (0: opened it, read nothing yet). The mark only moves
    /// forward; seq must not be past the thread's last comment. Kept in memory and saved lazily, so
    /// pages may report as they read. Returns the mark now.
    /// </summary>
    [Alias("MarkRead")]
    Task<ReadMark> MarkRead(string threadId, long seq);

    /// <summary>Mutes (or unmutes) a person for this user: 400 for oneself, 404 for no such user; twice is harmless.</summary>
    [Alias("SetMute")]
    Task SetMute(string userName, bool mute);

    /// <summary>Whom this user muted, their quiet comments, the threads they follow and their settings: for them only.</summary>
    [Alias("GetControls")]
    Task<ReaderControlsView> GetControls();

    /// <summary>Replies to this user's comment seq stop reaching the inbox (or reach it again): 404 no such comment, 403 not theirs.</summary>
    [Alias("SetQuiet")]
    Task SetQuiet(string threadId, long seq, bool quiet);

    /// <summary>Follows (or stops following) a thread: 404 for no such thread.</summary>
    [Alias("SetFollow")]
    Task SetFollow(string threadId, bool follow);

    [Alias("SetAutoFollow")]
    Task<ReaderSettings> SetAutoFollow(bool autoFollow);

    /// <summary>
    /// count new comments in a followed thread since the last notice, from firstSeq on. One-way from
    /// the thread's followers grain; the inbox keeps one item per thread and counts it up.
    /// </summary>
    [OneWay, Alias("AddFollowed")]
    Task AddFollowed(string threadId, string threadTitle, long firstSeq, int count);
}
