namespace Chat.Contracts;

/// <summary>
/// One acknowledged comment as every client sees it: the hub's <c>comments</c> push, the HTTP API and
/// grain-to-node notifications all carry this one shape. ParentSeq 0 means top level.
/// EditedAt, Deleted and Points came later: they sit at the end with new ids so that silos and web
/// nodes of the previous version still read (and ignore) them during a rolling upgrade. A deleted
/// comment keeps its seq and parent (replies stay in place) but its author and body are blanked.
/// Hidden (by a moderator) came after that, the same way: a hidden comment is blanked like a deleted
/// one for readers, and pages remove it (keeping a stub only while it has replies).
/// Mentions came last, the same way: the names of existing users that an "@name" in the body named
/// when it was posted (at most Chat:Limits:MentionsPerComment), lower case; pages link only these.
/// Null when there are none (and on every comment stored before).
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.Comment")]
public sealed record Comment(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] long ParentSeq,
    [property: Id(3)] string Author,
    [property: Id(4)] string Body,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset? EditedAt = null,
    [property: Id(7)] bool Deleted = false,
    [property: Id(8)] long Points = 0,
    [property: Id(9)] bool Hidden = false,
    [property: Id(10)] string[]? Mentions = null);
