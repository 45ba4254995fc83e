namespace Chat.Grains.Users;

/// <summary>
/// What a user's post, thread or vote passes before it reaches a thread: the user's rate limits, and
/// for a comment its "@name"s resolved to users (<see cref="Mentions"/>). One gate per user in the
/// cluster: the user's grain is the only place all of a user's posts pass.
/// </summary>
internal sealed class PostGate(IGrainFactory grains, LimitsOptions limits, TimeProvider time)
{
    // In memory only: a reactivation refills the buckets, which costs at most one extra burst.
    private readonly TokenBucket _posts = new(limits.PostBurstPerUser, limits.PostsPerSecondPerUser, time);

    // Votes get a bucket of their own (same rates as posts): reading and voting down a long thread
    // should not stop a user from replying.
    private readonly TokenBucket _votes = new(limits.PostBurstPerUser, limits.PostsPerSecondPerUser, time);

    /// <summary>A post or a new thread; "rate limited" (with when to retry) if the user is over the limit.</summary>
    public void TakePost()
    {
        if (!_posts.TryTake(out var retryAfter)) throw ChatException.RateLimited("posts", retryAfter);
    }

    public void TakeVote()
    {
        if (!_votes.TryTake(out var retryAfter)) throw ChatException.RateLimited("votes", retryAfter);
    }

    /// <summary>The users a new comment's body mentions (null if none), at most MentionsPerComment of them.</summary>
    public Task<string[]?> MentionsAsync(string body, string author) => Mentions.ResolveAsync(grains, body, author, limits.MentionsPerComment);
}
