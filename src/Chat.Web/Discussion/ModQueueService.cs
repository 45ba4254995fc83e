using Chat.Web.Hubs;
using Chat.Web.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Discussion;

/// <summary>
/// The moderation queue for the hub and the HTTP API. Callers have checked that the user is a
/// moderator (the role comes with the sign-in); the queue grain trusts that, as the thread trusts
/// the web tier for a hide.
/// </summary>
public sealed class ModQueueService(IGrainFactory grains, IHubContext<DiscussionHub, IDiscussionClient> hub, ModQueueRelay relay)
{
    private IFlagQueueGrain Queue => grains.GetGrain<IFlagQueueGrain>(0);

    public Task<FlaggedComment[]> GetAsync() => Queue.GetQueue();

    public async Task DecideAsync(string moderatorName, string threadId, long seq, string? action)
    {
        DiscussionService.CheckThreadId(threadId);
        if (Flags.CheckAction(action) is { } error) throw ChatException.Invalid(error);
        await Queue.Decide(threadId, seq, action!, moderatorName);
    }

    /// <summary>Starts the <c>ModQueue</c> pushes to this connection; returns the queue now.</summary>
    public async Task<FlaggedComment[]> JoinAsync(string connectionId)
    {
        // Group first, then read: a change in between arrives both ways rather than neither.
        await hub.Groups.AddToGroupAsync(connectionId, ModQueueRelay.GroupName);
        await relay.JoinAsync(connectionId);
        return await GetAsync();
    }

    public Task LeaveAsync(string connectionId) => relay.LeaveAsync(connectionId);
}
