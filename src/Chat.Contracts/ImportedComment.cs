namespace Chat.Contracts;

/// <summary>
/// A comment brought in from another site, already written by someone else. Key names it in its
/// source ("hn-8952", "line-3") and is stored as the comment's clientId, so that a second run of the
/// same import recognises it, also after the thread grain moved or restarted. ParentKey is the Key
/// of the comment it replies to (null = top level): the grain maps it to that comment's seq.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.ImportedComment")]
public sealed record ImportedComment(
    [property: Id(0)] string Key,
    [property: Id(1)] string? ParentKey,
    [property: Id(2)] string Author,
    [property: Id(3)] string Body,
    [property: Id(4)] DateTimeOffset? CreatedAt);

/// <summary>What one import call did: comments stored now, and comments an earlier run had stored.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ImportResult")]
public sealed record ImportResult(
    [property: Id(0)] int Imported,
    [property: Id(1)] int Already);
