namespace Chat.Contracts;

/// <summary>
/// One discussion thread (key: thread id). Owns the order of its comments: it assigns each
/// acknowledged comment the next seq, and tells each subscribed web node once per flushed batch.
/// </summary>
[Alias("Chat.IThreadGrain")]
// Raised by a release that adds methods; unchanged since 0.1.0 (docs/operations.md, "Upgrades").
[Orleans.CodeGeneration.Version(0)]
public interface IThreadGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the thread; fails with Conflict if it exists, unless this is a retry of the same
    /// creation (same author and <see cref="NewThread.ClientId"/>), which returns the thread. Fails
    /// with StorageUnavailable if the front page did not take the new row: the thread is stored, its
    /// row follows (the grain keeps sending it), and a retry returns it.
    /// </summary>
    [Alias("Create")]
    Task<ThreadInfo> Create(NewThread thread);

    /// <summary>Fails with NotFound if the thread was never created.</summary>
    [Alias("GetInfo")]
    Task<ThreadInfo> GetInfo();

    /// <summary>
    /// Stores the comment and returns its seq once the write succeeded. A repeated clientId of the
    /// same author returns the first post's seq and stores nothing new.
    /// </summary>
    /// <remarks>
    /// A short response timeout: if the silo holding the thread dies mid-call, the caller learns it
    /// in seconds (not Orleans' default 30 s) and retries with the same clientId on the new activation.
    /// </remarks>
    [Alias("Post"), ResponseTimeout(Limits.PostResponseTimeout)]
    Task<long> Post(NewComment comment);

    /// <summary>
    /// Comments with seq &gt; afterSeq, ascending, at most limit of them, and the thread's last seq
    /// (so a reader knows whether more remain).
    /// </summary>
    [Alias("GetComments")]
    Task<CommentPage> GetComments(long afterSeq, int limit);

    /// <summary>
    /// Comments in an order (<see cref="CommentOrder"/>), whole subtrees of top-level comments, about
    /// limit comments (at least one subtree, however big). roots null: the first page, with the order
    /// of all top-level comments; otherwise the subtrees of these top-level comments (seqs that are not
    /// top-level comments are skipped), in the given order.
    /// </summary>
    [Alias("GetOrderedComments")]
    Task<OrderedPage> GetOrderedComments(string order, long[]? roots, int limit);

    /// <summary>
    /// Subscribes (or refreshes) a web node's observer. Nodes call this on a timer; a node that stops
    /// calling ages out. Viewers is how many readers of this thread the node holds right now.
    /// </summary>
    [Alias("Subscribe")]
    Task<Subscription> Subscribe(string nodeId, IThreadObserver observer, int viewers);

    /// <summary>
    /// Replaces the body of comment seq. Only its author, only within the edit window
    /// (Chat:Threads:EditWindow), never after deletion. Returns the comment as it is now.
    /// </summary>
    [Alias("EditComment")]
    Task<Comment> EditComment(long seq, string author, string body);

    /// <summary>
    /// The versions of comment seq, oldest first, its text now last (edits keep the earlier text, at
    /// most <see cref="CommentVersion.MaxVersions"/> versions). A deleted or hidden comment's history
    /// is refused (Forbidden) unless moderator: the caller (the web tier) decides who is one.
    /// </summary>
    [Alias("GetHistory")]
    Task<CommentVersion[]> GetHistory(long seq, bool moderator);

    /// <summary>
    /// Blanks author and body of comment seq, keeping its slot so that replies stay in place. Only
    /// its author; deleting twice is a no-op. Returns the comment as it is now.
    /// </summary>
    [Alias("DeleteComment")]
    Task<Comment> DeleteComment(long seq, string author);

    /// <summary>
    /// Up-votes (up = true) or takes back the vote of voter on comment seq, or on the thread itself
    /// when seq is 0. One vote per user and target: repeating either is a no-op. Returns the points.
    /// </summary>
    [Alias("Vote")]
    Task<long> Vote(long seq, string voter, bool up);

    /// <summary>The seqs voter has up-voted here (0 = the thread), so a page can show its own votes.</summary>
    [Alias("GetVotesOf")]
    Task<long[]> GetVotesOf(string voter);

    /// <summary>
    /// Locks (no new comments; edits, deletes and votes still work) or unlocks the thread. The caller
    /// (the web tier) has checked that moderator is one: roles are decided at sign-in there.
    /// Returns the thread as it is now; every open page learns of it at once.
    /// </summary>
    [Alias("SetLocked")]
    Task<ThreadInfo> SetLocked(bool locked, string moderator);

    /// <summary>
    /// Hides (or shows again) comment seq for everyone: pages remove it live. Moderators only, checked
    /// by the caller like <see cref="SetLocked"/>. Returns the comment as readers now see it.
    /// </summary>
    [Alias("SetHidden")]
    Task<Comment> SetHidden(long seq, bool hidden, string moderator);

    /// <summary>
    /// userName is writing a reply to seq (0 = a top-level comment). Passed on to every open page,
    /// at most about once a second per user; never stored. One-way: typing must never wait on anything.
    /// </summary>
    [OneWay, Alias("Typing")]
    Task Typing(string userName, long parentSeq);

    [Alias("Unsubscribe")]
    Task Unsubscribe(string nodeId, IThreadObserver observer);

    /// <summary>
    /// Importer only (a moderator's import): appends already-written comments, in the given order,
    /// through the same group commit as posts, so open pages get them live. A parent must come
    /// before its replies (in this call or an earlier one). Comments whose Key an earlier import
    /// stored are not stored again; authors must be display names (<see cref="ImportedAuthor"/>).
    /// Nothing is queued unless every comment of the call is acceptable.
    /// </summary>
    /// <remarks>Up to 100 comments through group commit: longer than the cluster's usual response timeout.</remarks>
    [Alias("Import"), ResponseTimeout("00:00:30")]
    Task<ImportResult> Import(ImportedComment[] comments);
}
