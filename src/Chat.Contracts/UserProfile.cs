namespace Chat.Contracts;

[GenerateSerializer, Immutable, Alias("Chat.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string UserName,
    [property: Id(1)] DateTimeOffset JoinedAt,
    [property: Id(2)] IReadOnlyList<CommentRef> RecentComments,
    [property: Id(3)] long Karma = 0);

/// <summary>A pointer from a user's page to one of their comments.</summary>
[GenerateSerializer, Immutable, Alias("Chat.CommentRef")]
public sealed record CommentRef(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Snippet,
    [property: Id(3)] DateTimeOffset CreatedAt);
