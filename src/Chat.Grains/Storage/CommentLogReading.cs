namespace Chat.Grains.Storage;

public static class CommentLogReading
{
    /// <summary>Every comment after afterSeq, in seq order, page by page.</summary>
    public static async Task<List<StoredComment>> ReadAllAfterAsync(this ICommentLog log, string threadId, long afterSeq, CancellationToken cancellationToken = default)
    {
        var all = new List<StoredComment>();
        while (true)
        {
            var page = await log.ReadAsync(threadId, afterSeq, Limits.MaxPageSize, cancellationToken);
            all.AddRange(page);
            if (page.Count < Limits.MaxPageSize) return all;
            afterSeq = page[^1].Comment.Seq;
        }
    }
}
