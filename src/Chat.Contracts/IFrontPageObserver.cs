namespace Chat.Contracts;

/// <summary>
/// Implemented once per web node: the front-page grain says "the list changed" (at most about once a
/// second, however many threads changed), and each node then reads the list once for all its readers.
/// The list itself does not travel here: a node reads only the sorts its readers are looking at.
/// </summary>
[Alias("Chat.IFrontPageObserver")]
public interface IFrontPageObserver : INodeObserver
{
    /// <summary>Version is the grain's change counter: a node that saw it already has nothing to do.</summary>
    [OneWay, Alias("OnFrontPageChanged")]
    Task OnFrontPageChanged(long version);
}
