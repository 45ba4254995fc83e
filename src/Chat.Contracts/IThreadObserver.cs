namespace Chat.Contracts;

/// <summary>
/// Implemented once per web node: the grain calls it once per flushed batch, however many readers
/// the node has. One-way, so a slow or dead node never holds up posting.
/// </summary>
[Alias("Chat.IThreadObserver")]
public interface IThreadObserver : INodeObserver
{
    [OneWay, Alias("OnComments")]
    Task OnComments(string threadId, Comment[] batch);

    /// <summary>
    /// Comments that changed after they were stored (edited, deleted, voted on), each as its whole new
    /// self under its old seq. Separate from OnComments because readers skip seqs they already have.
    /// </summary>
    [OneWay, Alias("OnUpdates")]
    Task OnUpdates(string threadId, Comment[] updates);

    /// <summary>The thread's own points changed (a vote on the thread itself).</summary>
    [OneWay, Alias("OnThreadPoints")]
    Task OnThreadPoints(string threadId, long points);

    /// <summary>A moderator locked or unlocked the thread.</summary>
    [OneWay, Alias("OnThreadLocked")]
    Task OnThreadLocked(string threadId, bool locked);

    /// <summary>userName is writing a reply to parentSeq (0 = top level). Ephemeral: pages show it briefly.</summary>
    [OneWay, Alias("OnTyping")]
    Task OnTyping(string threadId, string userName, long parentSeq);

    [OneWay, Alias("OnViewers")]
    Task OnViewers(string threadId, int viewers);
}
