namespace Chat.Contracts;

/// <summary>A page of a thread's comments and the thread's last seq at the time it was read.</summary>
[GenerateSerializer, Immutable, Alias("Chat.CommentPage")]
public sealed record CommentPage(
    [property: Id(0)] Comment[] Comments,
    [property: Id(1)] long LastSeq);
