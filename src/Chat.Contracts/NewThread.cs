namespace Chat.Contracts;

/// <summary>
/// A thread on its way in. ClientId came later (last, with a new id): the creator's key for this
/// creation, reused when retrying it, so that a retry finds the thread the first attempt stored
/// instead of creating a second one. Null from callers of the previous version.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.NewThread")]
public sealed record NewThread(
    [property: Id(0)] string Title,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Body,
    [property: Id(3)] string Author,
    [property: Id(4)] string? ClientId = null);
