using Chat.Grains.Storage;

namespace Chat.Grains.Threads;

/// <summary>
/// A thread's pages in seq order (<see cref="IThreadGrain.GetComments"/>, for catch-up and paging):
/// served from the hot window when it reaches back far enough, otherwise read from the log. Either
/// way only what was acknowledged when the read began: a row of a flush still in flight is not
/// acknowledged yet, and a reader must never see seq n+1 while n could still be missing.
/// </summary>
internal sealed class CommentPages(string threadId, ICommentLog log, RecentComments recent)
{
    public async Task<CommentPage> PageAsync(long afterSeq, int limit)
    {
        if (afterSeq < 0) throw ChatException.Invalid("after must be 0 or more.");
        limit = Math.Clamp(limit, 1, Limits.MaxPageSize);
        var lastSeq = recent.LastSeq;
        if (afterSeq >= lastSeq) return new CommentPage([], lastSeq);

        if (recent.TryGetPage(afterSeq, limit, out var hot)) return new CommentPage(hot, lastSeq);
        try
        {
            var rows = await log.ReadAsync(threadId, afterSeq, limit);
            return new CommentPage(rows.Where(r => r.Comment.Seq <= lastSeq).Select(r => RecentComments.Public(r.Comment)).ToArray(), lastSeq);
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }
}
