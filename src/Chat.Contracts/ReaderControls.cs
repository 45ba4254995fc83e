namespace Chat.Contracts;

/// <summary>A thread a user follows: new comments in it reach their inbox as one item that counts up.</summary>
[GenerateSerializer, Immutable, Alias("Chat.FollowedThread")]
public sealed record FollowedThread(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] string Title,
    [property: Id(2)] DateTimeOffset Since);

/// <summary>One of a user's comments whose replies do not reach their inbox.</summary>
[GenerateSerializer, Immutable, Alias("Chat.QuietedComment")]
public sealed record QuietedComment(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq);

/// <summary>What a user has set for themselves. AutoFollow: threads they start or comment in are followed.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ReaderSettings")]
public sealed record ReaderSettings(
    [property: Id(0)] bool AutoFollow);

/// <summary>Everything a user controls for themselves, as only they may see it (mutes are private).</summary>
[GenerateSerializer, Immutable, Alias("Chat.ReaderControlsView")]
public sealed record ReaderControlsView(
    [property: Id(0)] string[] Mutes,
    [property: Id(1)] QuietedComment[] Quieted,
    [property: Id(2)] FollowedThread[] Follows,
    [property: Id(3)] ReaderSettings Settings);

/// <summary>How many of each a user keeps (the grain state's bounds).</summary>
public static class ReaderLimits
{
    public const int MaxMutes = 1_000;
    public const int MaxQuieted = 1_000;
    public const int MaxFollows = 500;
}
