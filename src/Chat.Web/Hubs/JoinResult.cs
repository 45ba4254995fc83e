namespace Chat.Web.Hubs;

/// <summary>What JoinThread returns: comments after the reader's seq (at most a page), and where the thread stands.</summary>
public sealed record JoinResult(long LastSeq, Comment[] Comments, int Viewers);

public sealed record PostResult(long Seq);

public sealed record VoteResult(long Points);
