namespace Chat.Grains.Users;

/// <summary>
/// What a user's public page shows: their recent comments (a snippet each, newest last in state) and
/// their karma. Kept in the user's state and saved lazily with it: losing the last few seconds of
/// this list in a crash loses no comment (the thread's log has them), and saving on every post would
/// double the storage writes of posting. Each change returns whether the state changed (to be saved).
/// </summary>
internal sealed class UserPage(IPersistentState<UserState> state)
{
    private const int RecentCommentsKept = 30;
    private const int SnippetLength = 140;

    private List<CommentRef> Recent => state.State.RecentComments;

    public UserProfile? Profile(string userName) => state.State.Exists
        ? new UserProfile(userName, state.State.JoinedAt, Recent.AsEnumerable().Reverse().ToArray(), state.State.Karma)
        : null;

    /// <summary>A comment the user posted; a retry that got the same seq is not listed twice.</summary>
    public bool Posted(string threadId, long seq, string body, DateTimeOffset at)
    {
        if (Recent.Any(r => r.ThreadId == threadId && r.Seq == seq)) return false;
        Recent.Add(new CommentRef(threadId, seq, Snippet(body), at));
        if (Recent.Count > RecentCommentsKept) Recent.RemoveRange(0, Recent.Count - RecentCommentsKept);
        return true;
    }

    public bool Edited(string threadId, long seq, string body)
    {
        var index = Recent.FindIndex(r => r.ThreadId == threadId && r.Seq == seq);
        if (index < 0) return false;
        Recent[index] = Recent[index] with { Snippet = Snippet(body) };
        return true;
    }

    /// <summary>A deleted (or hidden) comment's words must not live on on its author's page.</summary>
    public bool Forgotten(string threadId, long seq) => Recent.RemoveAll(r => r.ThreadId == threadId && r.Seq == seq) > 0;

    public bool AddKarma(long delta)
    {
        // Votes on a name that no longer exists (or a display name) have no account to credit.
        if (!state.State.Exists || delta == 0) return false;
        state.State.Karma += delta;
        return true;
    }

    private static string Snippet(string body) => body.Length <= SnippetLength ? body : body[..SnippetLength] + "…";
}
