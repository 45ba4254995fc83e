namespace Chat.Contracts;

/// <summary>
/// Which methods a web node's observers answer, told to the grain with each subscribe, in Orleans'
/// RequestContext (which a silo of an older release ignores). Orleans does not version observers: a
/// grain calls a node's observer directly, and a node of an older release that cannot decode a
/// one-way call logs an error ("Unable to parse or load type") and drops it. So a grain calls an
/// observer method added after 0.1.0 only on nodes that declared it (docs/operations.md, "Upgrades").
/// </summary>
public static class NodeObserverProtocol
{
    public const string Key = "chat.observer";

    /// <summary>1: <see cref="INodeObserver.OnReactivated"/> (0.2.0). 0, nothing declared: 0.1.0's methods only.</summary>
    public const int Current = 1;

    /// <summary>By a web node, in the async flow of a subscribe call, before making it.</summary>
    public static void Declare() => RequestContext.Set(Key, Current);

    /// <summary>In a grain, during a node's subscribe call: what that node declared.</summary>
    public static int OfCaller() => RequestContext.Get(Key) is int protocol ? protocol : 0;
}
