// Namespace Chat.Grains, not the folder's: grain storage's JSON names the CLR type of what it
// stores, so rows written before this file moved must still find it here.
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

    /// <summary>
    /// The nodes that declared they answer <see cref="INodeObserver.OnReactivated"/>
    /// (<see cref="NodeObserverProtocol"/>): nodes of 0.1.0 do not, and are not called with it.
    /// Added after the first rows were written: absent, it reads as none.
    /// </summary>
    [Id(1)] public HashSet<string> AnswerReactivated { get; set; } = [];
}
