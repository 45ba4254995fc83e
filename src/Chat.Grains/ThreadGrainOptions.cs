using Microsoft.Extensions.Options;

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
    /// DI key of the chat's clock: every time the chat grains use (comment times, the edit window,
    /// subscription expiry, throttling, login lockouts). Its own key, so that tests can move the
    /// chat's clock without moving the one Orleans itself runs on.
    /// </summary>
    public const string ClockKey = "Chat.Clock";

    /// <summary>At most one front-page update per thread per period, so the front page is never the hot spot.</summary>
    public TimeSpan FrontPageUpdatePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most one "is replying" signal per user and comment per period goes out to the pages.</summary>
    public TimeSpan TypingPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Table transactions of one thread in flight at once. 1 = strict group commit (a flush waits for
    /// the one before); more lets storage work on the next batch while the last is on its way, which
    /// raises one thread's acknowledged comments/s. Acknowledgements still go out in seq order, each
    /// only once it and everything before it is durable. 1 to 8.
    /// </summary>
    public int MaxFlushesInFlight { get; set; } = 2;

    /// <summary>
    /// When a silo stops gracefully (SIGTERM: a scale-in or a rolling update), its threads move to
    /// the other silos with their hot state (live grain migration) instead of being deactivated and
    /// re-read from storage at their next call. Off: Orleans' default, deactivation.
    /// </summary>
    public bool MigrateOnShutdown { get; set; } = true;

    /// <summary>
    /// Each silo counts the cluster's thread activations every <see cref="BalancePeriod"/>, and the
    /// silo with the most, if it holds more than its fair share, hands the surplus over to the silos
    /// with the fewest (live migration with a placement hint: a thread moves with its memory). So a
    /// silo added under load gets its share of the busy threads, which would otherwise stay where
    /// they are. Only threads are counted and moved. Not with Chat:Cluster:ActivationRebalancing.
    /// </summary>
    public bool Balancing { get; set; }

    /// <summary>How often each silo looks at the spread of threads when <see cref="Balancing"/> is on.</summary>
    public TimeSpan BalancePeriod { get; set; } = TimeSpan.FromSeconds(15);

    public const string Section = "Chat:Threads";
}

public sealed class ThreadGrainOptionsValidator : IValidateOptions<ThreadGrainOptions>
{
    public ValidateOptionsResult Validate(string? name, ThreadGrainOptions o) => ChatOptions.Result(
    [
        o.MaxFlushesInFlight is < 1 or > 8
            ? $"Configuration key {ThreadGrainOptions.Section}:MaxFlushesInFlight is {o.MaxFlushesInFlight}; it must be 1 to 8 (2 is the default; 1 = one table transaction per thread at a time)." : null,
        o.BalancePeriod < TimeSpan.FromSeconds(1) || o.BalancePeriod > TimeSpan.FromMinutes(10)
            ? $"Configuration key {ThreadGrainOptions.Section}:BalancePeriod is {o.BalancePeriod}; it must be 00:00:01 to 00:10:00 (00:00:15 is the default)." : null,
    ]);
}
