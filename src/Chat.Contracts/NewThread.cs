namespace Chat.Contracts;

[GenerateSerializer, Immutable, Alias("Chat.NewThread")]
public sealed record NewThread(
    [property: Id(0)] string Title,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Body,
    [property: Id(3)] string Author);
