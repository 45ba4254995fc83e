using Chat.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>What every relay needs: the grains it subscribes to, the hub it delivers through, who this node is, and the timings.</summary>
public sealed record RelayServices(IGrainFactory Grains, IHubContext<DiscussionHub, IDiscussionClient> Hub, NodeIdentity Node, IOptions<RelayOptions> Options);
