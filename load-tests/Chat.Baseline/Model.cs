namespace Chat.Baseline;

/// <summary>The product's comment shape, as pushed by `comments(threadId, comment[])`.</summary>
public sealed record Comment(string ThreadId, long Seq, long ParentSeq, string Author, string Body, DateTimeOffset CreatedAt);

public sealed record JoinResponse(long LastSeq, Comment[] Comments, int Viewers);

public sealed record PostResponse(long Seq);

public sealed record Credentials(string UserName, string Password);

public sealed record NewThread(string Title, string? Url, string? Body);

public sealed record NewComment(long ParentSeq, string Body, string? ClientId);
