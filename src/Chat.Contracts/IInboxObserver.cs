namespace Chat.Contracts;

/// <summary>
/// Implemented once per web node: a user's grain calls it when that user's unread reply count
/// changes, once per node that holds a page of the user, however many pages that is. One-way, so a
/// slow or dead node never holds up a reply.
/// </summary>
[Alias("Chat.IInboxObserver")]
public interface IInboxObserver : INodeObserver
{
    [OneWay, Alias("OnInbox")]
    Task OnInbox(string userName, InboxStatus status);
}
