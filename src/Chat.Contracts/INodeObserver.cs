namespace Chat.Contracts;

/// <summary>
/// What every web node's observer of a kind of grain (threads, the front page, inboxes) answers. A
/// grain keeps its subscribed nodes in storage, so an activation that follows a crash, a shutdown or
/// a move pushes to them at once; it also asks each of them to subscribe again now.
/// </summary>
[Alias("Chat.INodeObserver")]
public interface INodeObserver : IGrainObserver
{
    /// <summary>
    /// The grain of this key (a thread id, a user name; the front page has one) is active again with
    /// this node among its subscribers. Subscribing again at once, rather than at the next refresh,
    /// tells the grain the node's viewers, and the node what it missed while the grain was away
    /// (comments pushed by no one, a front page or an unread count that changed).
    /// </summary>
    [OneWay, Alias("OnReactivated")]
    Task OnReactivated(string key);
}
