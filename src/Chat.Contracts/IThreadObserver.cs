namespace Chat.Contracts;

/// <summary>
/// Implemented once per web node: the grain calls it once per flushed batch, however many readers
/// the node has. One-way, so a slow or dead node never holds up posting.
/// </summary>
[Alias("Chat.IThreadObserver")]
public interface IThreadObserver : IGrainObserver
{
    [OneWay, Alias("OnComments")]
    Task OnComments(string threadId, Comment[] batch);

    [OneWay, Alias("OnViewers")]
    Task OnViewers(string threadId, int viewers);
}
