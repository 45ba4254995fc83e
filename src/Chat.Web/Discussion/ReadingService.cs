namespace Chat.Web.Discussion;

/// <summary>
/// How far a signed-in reader has read each thread ("N new" on the front page, the new comments on a
/// thread page), for the hub and the HTTP API alike. The marks live in the user's grain, so every
/// web node and every device of the user sees the same ones. userName is the signed-in user.
/// </summary>
public sealed class ReadingService(IGrainFactory grains)
{
    /// <summary>The mark of one thread: Seq null if the reader never visited it.</summary>
    public async Task<ThreadReadMarkResult> GetMarkAsync(string userName, string threadId)
    {
        DiscussionService.CheckThreadId(threadId);
        var marks = await grains.GetGrain<IUserGrain>(userName).GetReadMarks([threadId]);
        return new ThreadReadMarkResult(threadId, marks.FirstOrDefault()?.Seq);
    }

    /// <summary>The marks of those of the threads the reader visited (at most <see cref="ReadMark.MaxThreadsPerRequest"/> ids).</summary>
    public async Task<ReadMark[]> GetMarksAsync(string userName, IReadOnlyCollection<string>? threadIds)
    {
        if (threadIds is null || threadIds.Count == 0) return [];
        if (threadIds.Count > ReadMark.MaxThreadsPerRequest) throw ChatException.Invalid($"At most {ReadMark.MaxThreadsPerRequest} threads at a time.");
        foreach (var id in threadIds) DiscussionService.CheckThreadId(id);
        return await grains.GetGrain<IUserGrain>(userName).GetReadMarks([.. threadIds]);
    }

    /// <summary>The reader has read up to seq; the mark moves forward only. Returns the mark now.</summary>
    public async Task<ReadMark> MarkReadAsync(string userName, string threadId, long? seq)
    {
        DiscussionService.CheckThreadId(threadId);
        if (seq is not >= 0) throw ChatException.Invalid("seq is required: 0 or a comment's seq.");
        return await grains.GetGrain<IUserGrain>(userName).MarkRead(threadId, seq.Value);
    }
}
