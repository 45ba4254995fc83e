using Chat.Contracts.Search;

namespace Chat.Contracts;

/// <summary>
/// What the discussion hub pushes to its clients: one method per server-to-client event. The method
/// names are the event names on the wire (the server sends "Comments", "FrontPage", …), so this
/// interface is the one list in C#: the hub is a Hub&lt;IDiscussionClient&gt;, and .NET clients (the
/// test reader, the load tool) subscribe with <c>nameof(IDiscussionClient.Comments)</c>. Here, not in
/// the web project, because the load tool and the baseline server reference only the contracts.
/// </summary>
public interface IDiscussionClient
{
    /// <summary>Newly stored comments of a thread, in seq order.</summary>
    Task Comments(string threadId, Comment[] comments);

    /// <summary>Comments that changed after they were stored (edited, deleted, voted on, hidden), each whole under its old seq.</summary>
    Task Updates(string threadId, Comment[] updates);

    /// <summary>The thread's own points changed (a vote on the thread).</summary>
    Task ThreadPoints(string threadId, long points);

    /// <summary>A moderator locked (true) or unlocked the thread.</summary>
    Task ThreadLocked(string threadId, bool locked);

    /// <summary>userName is writing a reply to parentSeq (0 = top level). Ephemeral.</summary>
    Task Typing(string threadId, string userName, long parentSeq);

    /// <summary>The thread's reader count changed.</summary>
    Task Viewers(string threadId, int viewers);

    /// <summary>The front page changed: its first threads in that sort ("hot" or "new"), whole.</summary>
    Task FrontPage(string sort, ThreadSummary[] threads);

    /// <summary>The signed-in user's unread reply count changed.</summary>
    Task Inbox(InboxCount count);

    /// <summary>The moderation queue changed (moderators' /mod pages only): read it again. Version grows with each change.</summary>
    Task ModQueue(long version);

    /// <summary>New comments (or threads, seq 0) that match the connection's standing search (JoinSearch), as readers see them.</summary>
    Task SearchMatches(SearchHit[] hits);

    /// <summary>A comment that may have been pushed by SearchMatches was hidden or deleted: take it off the page.</summary>
    Task SearchWithdrawn(string threadId, long seq);

    /// <summary>This web node is shutting down: connect again (to another node) and rejoin.</summary>
    Task Reconnect();

    /// <summary>
    /// This node no longer serves pages of the protocol this page connected with (<c>?page=N</c>):
    /// reload, keeping the reader's place. Pages of 0.1.0 do not know it and ignore it.
    /// </summary>
    Task Reload();
}

/// <summary>
/// The signed-in user's unread replies, <c>{unread}</c> on the wire: what JoinInbox returns and the
/// <see cref="IDiscussionClient.Inbox"/> push carries. In this file because it is part of the
/// client interface's shape and nothing else.
/// </summary>
public sealed record InboxCount(int Unread);
