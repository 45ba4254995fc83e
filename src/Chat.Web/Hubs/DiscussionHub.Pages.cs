using Chat.Web.Auth;
using Chat.Web.Realtime;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Hubs;

/// <summary>The hub methods of every page but the thread page: the live front page and the live inbox count.</summary>
public sealed partial class DiscussionHub
{
    /// <summary>
    /// Starts the <c>frontPage</c> pushes of one sort ("hot" or "new") to this connection, instead of
    /// any sort it was reading before, and returns the list as it is now.
    /// </summary>
    public async Task<ThreadSummary[]> JoinFrontPage(string sort)
    {
        if (sort is not ("hot" or "new")) throw new HubException("sort must be 'hot' or 'new'.");
        await LeaveFrontPage();
        // Group first, then read: a change in between arrives both ways rather than neither.
        await Groups.AddToGroupAsync(Context.ConnectionId, FrontPageRelay.GroupName(sort));
        return await frontPage.JoinAsync(sort, Context.ConnectionId);
    }

    public async Task LeaveFrontPage()
    {
        if (frontPage.Leave(Context.ConnectionId) is { } sort)
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, FrontPageRelay.GroupName(sort));
    }

    /// <summary>
    /// Starts the <c>inbox</c> pushes (the signed-in user's unread reply count) to this connection's
    /// user and returns the count now.
    /// </summary>
    [Authorize]
    public async Task<InboxCount> JoinInbox() =>
        new(await inbox.JoinAsync(Context.User!.UserName()!, Context.ConnectionId));
}
