namespace Chat.Web.Discussion;

// What the hub and the HTTP API take and give back, one type each whichever way it travels
// (camelCase JSON on both: {seq}, {points}, {id}, …).

/// <param name="ClientId">Optional: a random id per new thread, reused when retrying its creation, so that a retry cannot make a second thread.</param>
public sealed record CreateThreadRequest(string? Title, string? Url, string? Body, string? ClientId = null);

public sealed record CreatedThread(string Id);

public sealed record PostCommentRequest(long ParentSeq, string? Body, string? ClientId);

/// <summary>A stored comment's place in its thread: what posting returns, over the hub and over HTTP.</summary>
public sealed record PostedComment(long Seq);

public sealed record EditCommentRequest(string? Body);

/// <summary>The points of what was voted on (the thread or a comment), after the vote.</summary>
public sealed record VoteResult(long Points);

/// <summary>The seqs of the comments the signed-in user has up-voted in one thread.</summary>
public sealed record MyVotesResult(long[] Seqs);

/// <summary>What JoinThread returns: comments after the reader's seq (at most a page), and where the thread stands.</summary>
public sealed record JoinResult(long LastSeq, Comment[] Comments, int Viewers);

/// <summary>How far the reader has read one thread; Seq null if they never visited it.</summary>
public sealed record ThreadReadMarkResult(string ThreadId, long? Seq);

public sealed record MarkReadRequest(long? Seq);
/// <summary>What JoinThreadOrdered returns: the first page in the reader's order, and where the thread stands.</summary>
public sealed record OrderedJoinResult(OrderedPage Page, int Viewers);

/// <summary>A flag on a comment: one of Flags.Reasons ("spam", "abuse", "off-topic", "other").</summary>
public sealed record FlagCommentRequest(string? Reason);
