namespace Chat.Grains.Storage;

/// <summary>
/// The durable list of a thread's comments. The thread grain is its only writer, so appends never
/// race; the log is the truth about which seqs exist. Rows are appended, and afterwards changed in
/// place only by edits, deletes and vote counts (seqs never move or disappear).
/// </summary>
public interface ICommentLog
{
    /// <summary>
    /// Writes up to <see cref="Limits.MaxBatchSize"/> comments of one thread atomically (one table
    /// transaction). Throws <see cref="CommentLogUnavailableException"/> when storage does not answer
    /// or refuses; the caller must then re-read the log, since a timed-out write may still have landed.
    /// </summary>
    Task AppendAsync(string threadId, IReadOnlyList<StoredComment> batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// The first thread id after <paramref name="afterThreadId"/> (null: from the start) in ordinal
    /// order that has any row in the log (a comment or a vote), or null after the last: a rebuild of
    /// the search index walks every thread with it.
    /// </summary>
    Task<string?> NextThreadIdAsync(string? afterThreadId, CancellationToken cancellationToken = default);

    /// <summary>Comments with seq &gt; afterSeq in ascending order, at most limit.</summary>
    Task<IReadOnlyList<StoredComment>> ReadAsync(string threadId, long afterSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>One comment as stored (deleted ones with their real author), or null if there is no such seq.</summary>
    Task<StoredComment?> ReadOneAsync(string threadId, long seq, CancellationToken cancellationToken = default);

    /// <summary>Overwrites an existing comment row (edit, delete) with the given content.</summary>
    Task ReplaceAsync(StoredComment comment, CancellationToken cancellationToken = default);

    /// <summary>
    /// An edit: overwrites the comment row and keeps its earlier text beside it, atomically (one
    /// transaction in the thread's partition), the newest <see cref="CommentVersion.MaxVersions"/> - 1
    /// earlier versions of a comment.
    /// </summary>
    Task ReplaceKeepingAsync(StoredComment comment, CommentVersion earlier, CancellationToken cancellationToken = default);

    /// <summary>The earlier versions of comment seq kept by edits, oldest first (none if never edited).</summary>
    Task<IReadOnlyList<CommentVersion>> ReadHistoryAsync(string threadId, long seq, CancellationToken cancellationToken = default);

    /// <summary>How many of the thread's comments are deleted or hidden (placeholders are both).</summary>
    Task<long> CountGoneAsync(string threadId, CancellationToken cancellationToken = default);

    /// <summary>The thread's own points (votes on seq 0); 0 before the first vote.</summary>
    Task<long> ReadThreadPointsAsync(string threadId, CancellationToken cancellationToken = default);

    /// <summary>The seqs (0 = the thread) voter has up-voted in this thread.</summary>
    Task<IReadOnlyList<long>> ReadVotesOfAsync(string threadId, string voter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records (up) or removes (!up) voter's vote on seq (0 = the thread) and sets the target's points
    /// to pointsAfter, atomically. Returns false, changing nothing, if the voter had already voted
    /// (up) or had not (!up).
    /// </summary>
    Task<bool> ApplyVoteAsync(string threadId, long seq, string voter, bool up, long pointsAfter, CancellationToken cancellationToken = default);
}

public sealed class CommentLogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
