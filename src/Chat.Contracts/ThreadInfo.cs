namespace Chat.Contracts;

/// <summary>A thread's metadata, as <c>GET /api/threads/{id}</c> returns it. CommentCount counts the comments readers see (not deleted, hidden or lost-write placeholders); LastSeq is the highest seq. Points (up-votes) and Locked (a moderator closed it to new comments) came later: last, with new ids.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ThreadInfo")]
public sealed record ThreadInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Url,
    [property: Id(3)] string? Body,
    [property: Id(4)] string Author,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] long CommentCount,
    [property: Id(7)] long LastSeq,
    [property: Id(8)] long Points = 0,
    [property: Id(9)] bool Locked = false);
