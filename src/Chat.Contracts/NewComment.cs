namespace Chat.Contracts;

/// <summary>
/// A comment on its way in. The author always comes from the sign-in, never from the request.
/// ClientId is chosen by the poster and reused on retry so that a retried post is stored once.
/// CreatedAt came later (last, with a new id): only the importer sets it, to keep a comment's original
/// time; null means "when it is stored". Mentions came after it: the users an "@name" of the body
/// names, resolved by the poster's grain (imports never set it, so imported comments notify nobody).
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.NewComment")]
public sealed record NewComment(
    [property: Id(0)] long ParentSeq,
    [property: Id(1)] string Author,
    [property: Id(2)] string Body,
    [property: Id(3)] string ClientId,
    [property: Id(4)] DateTimeOffset? CreatedAt = null,
    [property: Id(5)] string[]? Mentions = null);
