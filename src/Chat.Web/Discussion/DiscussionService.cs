using Chat.Web.Hosting;

namespace Chat.Web.Discussion;

/// <summary>
/// What people do with threads and comments, whichever way they ask (the hub or the HTTP API): each
/// method checks its input, calls the grains and returns the result. A refusal is a
/// <see cref="ChatException"/>: the HTTP API answers it as a problem (<c>ChatExceptionHandler</c>), the
/// hub as a HubException (<c>HubErrorFilter</c>), both with its message. userName is always the
/// signed-in user: the adapters take it from the sign-in, never from the request.
/// </summary>
public sealed class DiscussionService(IGrainFactory grains, ClusterRetry clusterRetry, WebMetrics metrics)
{
    /// <summary>Comments per page when the reader does not say.</summary>
    public const int DefaultPageSize = 200;

    /// <summary>Threads per front-page list when the reader does not say (what the front page shows).</summary>
    public const int DefaultListLength = 30;

    public const int MaxListLength = 500;

    private IUserGrain User(string userName) => grains.GetGrain<IUserGrain>(userName);

    private IThreadGrain Thread(string threadId)
    {
        CheckThreadId(threadId);
        return grains.GetGrain<IThreadGrain>(threadId);
    }

    /// <summary>sort null is "new" (newest first).</summary>
    public async Task<ThreadSummary[]> ListThreadsAsync(string? sort, int? limit)
    {
        var checkedSort = CheckSort(sort ?? "new");
        if (limit is < 1 or > MaxListLength) throw ChatException.Invalid($"limit must be 1 to {MaxListLength}.");
        return await grains.GetGrain<IFrontPageGrain>(0).GetThreadsSorted(checkedSort, limit ?? DefaultListLength);
    }

    public async Task<CreatedThread> CreateThreadAsync(string userName, CreateThreadRequest request)
    {
        Check(Limits.CheckTitle(request.Title));
        Check(Limits.CheckUrl(request.Url));
        if (request.Body is { Length: > 0 }) Check(Limits.CheckBody(request.Body));
        if (request.ClientId is not null) Check(Limits.CheckClientId(request.ClientId));
        // A client that sends no clientId gets a fresh one: its retry may create a second thread.
        var info = await User(userName).CreateThread(request.Title!, request.Url, request.Body, request.ClientId ?? Guid.NewGuid().ToString("N"));
        return new CreatedThread(info.Id);
    }

    public async Task<ThreadInfo> GetThreadAsync(string threadId) => await Thread(threadId).GetInfo();

    /// <summary>A comment's versions, oldest first; a deleted or hidden one's only for a moderator.</summary>
    public async Task<CommentVersion[]> GetHistoryAsync(string threadId, long seq, bool moderator)
    {
        var thread = Thread(threadId);
        if (seq < 1) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        return await thread.GetHistory(seq, moderator);
    }

    public async Task<Comment[]> GetCommentsAsync(string threadId, long? after, int? limit)
    {
        var thread = Thread(threadId);
        if (after is < 0) throw ChatException.Invalid("after must be 0 or more.");
        if (limit is < 1 or > Limits.MaxPageSize) throw ChatException.Invalid($"limit must be 1 to {Limits.MaxPageSize}.");
        return (await thread.GetComments(after ?? 0, limit ?? DefaultPageSize)).Comments;
    }

    /// <summary>
    /// Comments in an order ("top", "new" or "old"): the first page with the order of all top-level
    /// comments when roots is empty, else the subtrees of the given top-level comments (comma-separated seqs).
    /// </summary>
    public async Task<OrderedPage> GetOrderedCommentsAsync(string threadId, string? sort, string? roots, int? limit)
    {
        var thread = Thread(threadId);
        Check(CommentOrder.Check(sort));
        if (limit is < 1 or > Limits.MaxPageSize) throw ChatException.Invalid($"limit must be 1 to {Limits.MaxPageSize}.");
        return await thread.GetOrderedComments(sort!, ParseRoots(roots), limit ?? DefaultPageSize);
    }

    private static long[]? ParseRoots(string? roots)
    {
        if (string.IsNullOrEmpty(roots)) return null;
        var parts = roots.Split(',');
        if (parts.Length > Limits.MaxPageSize) throw ChatException.Invalid($"roots: at most {Limits.MaxPageSize} seqs.");
        return Array.ConvertAll(parts, p => long.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) && seq > 0
            ? seq : throw ChatException.Invalid("roots must be comment seqs separated by commas."));
    }

    /// <summary>
    /// Retried on a cluster change (see <see cref="ClusterRetry"/>): safe because the clientId makes a
    /// repeated post return the first one's seq and store nothing new.
    /// </summary>
    public async Task<PostedComment> PostCommentAsync(string userName, string threadId, long parentSeq, string? body, string? clientId)
    {
        // Timed from here, refusals of bad input included in the failures: what the poster sees.
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            CheckThreadId(threadId);
            Check(Limits.CheckBody(body));
            Check(Limits.CheckClientId(clientId));
            var user = User(userName);
            var seq = await clusterRetry.PostAsync(() => user.PostComment(threadId, parentSeq, body!, clientId!));
            metrics.PostAcknowledged(System.Diagnostics.Stopwatch.GetElapsedTime(received));
            return new PostedComment(seq);
        }
        catch (Exception ex)
        {
            metrics.PostFailed(ex);
            throw;
        }
    }

    public async Task<Comment> EditCommentAsync(string userName, string threadId, long seq, string? body)
    {
        CheckThreadId(threadId);
        Check(Limits.CheckBody(body));
        return await User(userName).EditComment(threadId, seq, body!);
    }

    public async Task<Comment> DeleteCommentAsync(string userName, string threadId, long seq)
    {
        CheckThreadId(threadId);
        return await User(userName).DeleteComment(threadId, seq);
    }

    /// <summary>Up-vote (up = true) or take back a vote; seq 0 is the thread itself.</summary>
    public async Task<VoteResult> VoteAsync(string userName, string threadId, long seq, bool up)
    {
        CheckThreadId(threadId);
        if (seq < 0) throw ChatException.Invalid("seq must be 0 (the thread) or a comment's seq.");
        return new VoteResult(await User(userName).Vote(threadId, seq, up));
    }

    public async Task<MyVotesResult> MyVotesAsync(string userName, string threadId) =>
        new(await Thread(threadId).GetVotesOf(userName));

    /// <summary>
    /// The user is writing a reply to parentSeq (0 = top level). The thread passes it on to open
    /// pages, throttled, and stores nothing.
    /// </summary>
    public async Task TypingAsync(string userName, string threadId, long parentSeq)
    {
        var thread = Thread(threadId);
        if (parentSeq < 0) throw ChatException.Invalid("parentSeq must be 0 (top level) or a comment's seq.");
        await thread.Typing(userName, parentSeq);
    }

    /// <summary>Flags someone else's comment for moderators; a repeat is answered as before and counts once.</summary>
    public async Task<FlagResult> FlagCommentAsync(string userName, string threadId, long seq, string? reason)
    {
        CheckThreadId(threadId);
        Check(Flags.CheckReason(reason));
        if (seq < 1) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        return await User(userName).FlagComment(threadId, seq, reason!);
    }

    /// <summary>The caller has checked that moderatorName is a moderator (the role comes with the sign-in).</summary>
    public async Task<ThreadInfo> SetLockedAsync(string moderatorName, string threadId, bool locked) =>
        await Thread(threadId).SetLocked(locked, moderatorName);

    /// <inheritdoc cref="SetLockedAsync"/>
    public async Task<Comment> SetHiddenAsync(string moderatorName, string threadId, long seq, bool hidden) =>
        await Thread(threadId).SetHidden(seq, hidden, moderatorName);

    /// <summary>A thread id given as an argument (over HTTP, a malformed id in a URL is a 404 before this).</summary>
    public static void CheckThreadId(string? threadId) => Check(Limits.CheckThreadId(threadId));

    public static string CheckSort(string? sort) =>
        sort is "hot" or "new" ? sort : throw ChatException.Invalid("sort must be 'hot' or 'new'.");

    private static void Check(string? error)
    {
        if (error is not null) throw ChatException.Invalid(error);
    }
}
