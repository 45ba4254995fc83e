namespace Chat.Grains.Users;

/// <summary>Reply notifications kept by <see cref="UserGrain"/>; bound from configuration section "Chat:Inbox".</summary>
public sealed class InboxOptions
{
    public const string Section = "Chat:Inbox";

    /// <summary>Replies kept per user (the oldest go first). Bounds the user's grain state.</summary>
    public int Size { get; set; } = 100;

    /// <summary>A web node that has not re-subscribed to a user for this long is dropped.</summary>
    public TimeSpan SubscriptionExpiry { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// How often a followed thread with new comments tells each follower how many came: at most one
    /// inbox call per follower per period, however fast the thread goes.
    /// </summary>
    public TimeSpan FollowedPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a follower's inbox may hold a followed thread's new count unsaved. Saving it with
    /// every round would rewrite each follower's whole record every FollowedPeriod (10,000 followers:
    /// 2,000 writes a second); a count lost with its silo is shown a little low, it invents nothing.
    /// A change that must not be lost (a reply, a mention, a read mark) is saved within 5 s as before.
    /// </summary>
    public TimeSpan FollowedSaveDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Followers a thread takes at most (its follower set is one grain-state row).</summary>
    public int FollowersPerThread { get; set; } = 20_000;
}

public sealed class InboxOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<InboxOptions>
{
    private const string Section = InboxOptions.Section;

    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, InboxOptions o) => ChatOptions.Result(
    [
        o.FollowedPeriod < TimeSpan.FromMilliseconds(100) || o.FollowedPeriod > TimeSpan.FromMinutes(10)
            ? $"Configuration key {Section}:FollowedPeriod is {o.FollowedPeriod}; it must be 00:00:00.1 to 00:10:00 (00:00:05 is the default)." : null,
        o.FollowedSaveDelay < TimeSpan.Zero || o.FollowedSaveDelay > TimeSpan.FromMinutes(10)
            ? $"Configuration key {Section}:FollowedSaveDelay is {o.FollowedSaveDelay}; it must be 00:00:00 (saved with the next save) to 00:10:00 (00:01:00 is the default)." : null,
        o.FollowersPerThread is < 1 or > 50_000 ? $"Configuration key {Section}:FollowersPerThread is {o.FollowersPerThread}; it must be 1 to 50000." : null,
    ]);
}
