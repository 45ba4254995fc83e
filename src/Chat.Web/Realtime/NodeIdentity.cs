namespace Chat.Web.Realtime;

/// <summary>
/// This web node as the grains know it: one id for the life of the process, shared by every relay,
/// so that a node is one subscriber to each grain, whichever relay subscribed. Grains keep their
/// subscriptions per grain and per node id (a thread's, the front page's, a user's), so the relays
/// never overwrite each other's.
/// </summary>
public sealed class NodeIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Guid.NewGuid():N}";

    public override string ToString() => Id;
}
