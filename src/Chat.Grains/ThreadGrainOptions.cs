namespace Chat.Grains;

/// <summary>Tuning of <see cref="ThreadGrain"/>; bound from configuration section "Chat:Threads".</summary>
public sealed class ThreadGrainOptions
{
    /// <summary>Recent comments kept in memory for joins and catch-up without a storage read.</summary>
    public int HotWindowSize { get; set; } = 500;

    /// <summary>Recent (author, clientId) pairs remembered so that a retried post is stored once.</summary>
    public int RememberedClientIds { get; set; } = 10_000;

    /// <summary>A web node that has not re-subscribed for this long is dropped (it died or left).</summary>
    public TimeSpan SubscriptionExpiry { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How often expired subscriptions are pruned, state saved and the front page updated.</summary>
    public TimeSpan HousekeepingPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long after posting its author may still edit a comment (deleting has no limit).</summary>
    public TimeSpan EditWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// DI key of the clock thread grains use for comment times and the edit window. Its own key, so
    /// that tests can move the chat's clock without moving the one Orleans itself runs on.
    /// </summary>
    public const string ClockKey = "Chat.Clock";

    /// <summary>At most one front-page update per thread per period, so the front page is never the hot spot.</summary>
    public TimeSpan FrontPageUpdatePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most one "is replying" signal per user and comment per period goes out to the pages.</summary>
    public TimeSpan TypingPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
