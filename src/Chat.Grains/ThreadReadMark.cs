namespace Chat.Grains;

/// <summary>One thread's read mark in a user's state; ReadAt (when it last moved) decides which marks go when there are too many.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ThreadReadMark")]
public sealed record ThreadReadMark(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset ReadAt);
