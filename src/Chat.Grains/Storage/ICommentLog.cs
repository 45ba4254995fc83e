namespace Chat.Grains.Storage;

/// <summary>
/// The durable, append-only list of a thread's comments. The thread grain is its only writer, so
/// appends never race; the log is the truth about which seqs exist.
/// </summary>
public interface ICommentLog
{
    /// <summary>
    /// Writes up to <see cref="Limits.MaxBatchSize"/> comments of one thread atomically (one table
    /// transaction). Throws <see cref="CommentLogUnavailableException"/> when storage does not answer
    /// or refuses; the caller must then re-read the log, since a timed-out write may still have landed.
    /// </summary>
    Task AppendAsync(string threadId, IReadOnlyList<StoredComment> batch, CancellationToken cancellationToken = default);

    /// <summary>Comments with seq &gt; afterSeq in ascending order, at most limit.</summary>
    Task<IReadOnlyList<StoredComment>> ReadAsync(string threadId, long afterSeq, int limit, CancellationToken cancellationToken = default);
}

public sealed class CommentLogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
