namespace Chat.Contracts;

/// <summary>
/// One acknowledged comment as every client sees it: the hub's <c>comments</c> push, the HTTP API and
/// grain-to-node notifications all carry this one shape. ParentSeq 0 means top level.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.Comment")]
public sealed record Comment(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] long ParentSeq,
    [property: Id(3)] string Author,
    [property: Id(4)] string Body,
    [property: Id(5)] DateTimeOffset CreatedAt);
