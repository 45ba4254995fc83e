using Chat.Web.Hosting;
using Chat.Web.Hubs;
using Chat.Web.Realtime;
using Chat.Contracts.Search;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Discussion;

/// <summary>
/// Following pages live over the hub: a connection joins a thread, the front page or its user's
/// inbox, and from then on gets their pushes through this node's relays. Refusals are
/// ChatExceptions, as in <see cref="DiscussionService"/>.
/// </summary>
public sealed class LiveService(IGrainFactory grains, IHubContext<DiscussionHub, IDiscussionClient> hub, ThreadRelay threads, FrontPageRelay frontPage, InboxRelay inbox,
    SearchRelay search, ClusterRetry clusterRetry)
{
    /// <summary>The first screen; the rest comes over HTTP in pages.</summary>
    public const int JoinPageSize = 500;

    public async Task<JoinResult> JoinThreadAsync(string connectionId, string threadId, long afterSeq)
    {
        if (afterSeq < 0) throw ChatException.Invalid("afterSeq must be 0 or more.");
        return await clusterRetry.ReadAsync(async () =>
        {
            var (thread, viewers) = await JoinAsync(connectionId, threadId);
            var page = await thread.GetComments(afterSeq, JoinPageSize);
            return new JoinResult(page.LastSeq, page.Comments, viewers);
        });
    }

    /// <summary>Like <see cref="JoinThreadAsync"/> from the start, with the first page in an order (<see cref="CommentOrder"/>).</summary>
    public async Task<OrderedJoinResult> JoinThreadOrderedAsync(string connectionId, string threadId, string sort)
    {
        if (CommentOrder.Check(sort) is { } sortError) throw ChatException.Invalid(sortError);
        return await clusterRetry.ReadAsync(async () =>
        {
            var (thread, viewers) = await JoinAsync(connectionId, threadId);
            return new OrderedJoinResult(await thread.GetOrderedComments(sort, null, JoinPageSize), viewers);
        });
    }

    private async Task<(IThreadGrain Thread, int Viewers)> JoinAsync(string connectionId, string threadId)
    {
        DiscussionService.CheckThreadId(threadId);
        var thread = grains.GetGrain<IThreadGrain>(threadId);
        await thread.GetInfo(); // refuses an unknown thread before anything is set up for it

        // Join the group first, then read: a comment acknowledged in between arrives both ways and
        // the client drops the duplicate by seq, rather than arriving neither way.
        await hub.Groups.AddToGroupAsync(connectionId, threads.Groups.Of(threadId, connectionId));
        return (thread, await threads.JoinAsync(threadId, connectionId));
    }

    public async Task LeaveThreadAsync(string connectionId, string threadId)
    {
        DiscussionService.CheckThreadId(threadId);
        await hub.Groups.RemoveFromGroupAsync(connectionId, threads.Groups.Of(threadId, connectionId));
        await threads.LeaveAsync(threadId, connectionId);
    }

    /// <summary>
    /// Starts the pushes of one sort ("hot" or "new") to this connection, instead of any sort it was
    /// reading before, and returns the list as it is now.
    /// </summary>
    public async Task<ThreadSummary[]> JoinFrontPageAsync(string connectionId, string sort)
    {
        DiscussionService.CheckSort(sort);
        await LeaveFrontPageAsync(connectionId);
        // Group first, then read: a change in between arrives both ways rather than neither.
        await hub.Groups.AddToGroupAsync(connectionId, FrontPageRelay.GroupName(sort));
        return await frontPage.JoinAsync(sort, connectionId);
    }

    public async Task LeaveFrontPageAsync(string connectionId)
    {
        if (frontPage.Leave(connectionId) is { } sort)
            await hub.Groups.RemoveFromGroupAsync(connectionId, FrontPageRelay.GroupName(sort));
    }

    /// <summary>Starts the inbox pushes to every connection of the user; returns the unread count now.</summary>
    public async Task<InboxCount> JoinInboxAsync(string connectionId, string userName) =>
        new(await inbox.JoinAsync(userName, connectionId));

    /// <summary>
    /// Keeps a search open: new comments that match q (read as /api/search reads it, with its
    /// thread= and author= filters) are pushed as <c>SearchMatches</c>, instead of those of any
    /// search the connection kept open before.
    /// </summary>
    public Task JoinSearchAsync(string connectionId, string q, string? thread, string? author) =>
        search.JoinAsync(connectionId, SearchQuery.Parse(q).With(thread, author));

    public void LeaveSearch(string connectionId) => search.Leave(connectionId);

    /// <summary>The connection is gone (SignalR drops it from its groups itself).</summary>
    public Task DisconnectedAsync(string connectionId)
    {
        frontPage.Leave(connectionId);
        search.Leave(connectionId);
        return Task.WhenAll(threads.LeaveAllAsync(connectionId), inbox.LeaveAllAsync(connectionId));
    }
}
