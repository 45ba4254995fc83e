namespace Chat.Contracts;

/// <summary>
/// What a web node learns when it (re)subscribes to a thread: the last committed seq, so that its
/// relay can tell a batch that follows on from one that left a gap, and the summed viewer count.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.Subscription")]
public sealed record Subscription(
    [property: Id(0)] long LastSeq,
    [property: Id(1)] int Viewers);
