namespace Chat.Grains;

/// <summary>
/// The web nodes subscribed to a grain, as its own grain state (beside the grain's main state, so
/// that the two never race on one ETag): node id -> the node's observer, as its GrainId's text.
/// Only who is subscribed; viewer counts and expiries live in memory, and nodes report them again.
/// </summary>
[GenerateSerializer, Alias("Chat.SubscribedNodesState")]
public sealed class SubscribedNodesState
{
    /// <summary>The name of this state beside each grain's main state.</summary>
    public const string Name = "nodes";

    [Id(0)] public Dictionary<string, string> Nodes { get; set; } = [];
}
