// The product's comment shape, as pushed by `Comments(threadId, comment[])`: the product's own record.
global using Comment = Chat.Contracts.Comment;
global using IDiscussionClient = Chat.Contracts.IDiscussionClient;

namespace Chat.Baseline;


public sealed record JoinResponse(long LastSeq, Comment[] Comments, int Viewers);

public sealed record PostResponse(long Seq);

public sealed record Credentials(string UserName, string Password);

public sealed record NewThread(string Title, string? Url, string? Body);

public sealed record NewComment(long ParentSeq, string Body, string? ClientId);
