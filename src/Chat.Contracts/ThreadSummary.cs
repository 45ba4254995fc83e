namespace Chat.Contracts;

/// <summary>One row of the front page, as <c>GET /api/threads</c> returns it. CommentCount as in <see cref="ThreadInfo"/>; Score is the thread's points (up-votes); LastSeq (its highest seq, for "N new" beside it) came later: last, with a new id.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ThreadSummary")]
public sealed record ThreadSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Url,
    [property: Id(3)] string Author,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] long CommentCount,
    [property: Id(6)] long Score,
    [property: Id(7)] long LastSeq = 0);
