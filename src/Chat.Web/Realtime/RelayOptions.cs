using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>Section "Chat:Relay".</summary>
public sealed class RelayOptions
{
    public const string Section = "Chat:Relay";

    /// <summary>
    /// How often this node re-subscribes to each thread it has readers of. Must be well under the
    /// grain's SubscriptionExpiry (45 s by default). A grain that moved to another silo (after a
    /// crash) knows its nodes from grain state and calls them at once; a refresh is the fallback
    /// for a node it could not save in time, and bounds how long that node's readers wait then.
    /// </summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How comments of a thread that reach this node close together are gathered into one
    /// <c>Comments</c> message per connection (fewer, fuller frames cost the node and every reader
    /// less per comment). A positive value is a fixed window every batch waits out first: 10 ms, the
    /// default, by measurement (docs/performance.md). 0 is adaptive: a batch goes out at once when
    /// no send of the thread is in progress, and what arrives during one goes out as the next
    /// message. Measured against 10 ms (2,000 readers, 100 posts/s, co-hosted) it sent smaller
    /// frames for more CPU per delivery (7.1-7.4 against 5.8-6.0 µs) and a longer p99 (261-675
    /// against 144-168 ms): a SignalR group send returns once the frames are queued, long before
    /// they are written, so little arrives "during" one.
    /// </summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Where a positive <see cref="CoalesceWindow"/> is counted from. <see cref="CoalesceFrom.FirstArrival"/>:
    /// every batch waits the window out from when it arrived, so a comment on a quiet thread waits
    /// too. <see cref="CoalesceFrom.LastSend"/>: the window is the least time between two sends of a
    /// thread, so a comment on a thread that sent nothing for a window goes at once, and a busy
    /// thread still sends at most about once a window.
    /// </summary>
    public CoalesceFrom CoalesceFrom { get; set; } = CoalesceFrom.FirstArrival;

    /// <summary>
    /// How many SignalR groups a thread's readers on a node are split into; a new comment goes to
    /// them in parallel, so that a thread with thousands of readers on one node is sent to by more
    /// than one core (<see cref="ThreadGroups"/>). 1, the default, is one group per thread.
    /// </summary>
    public int SubGroups { get; set; } = 1;

    /// <summary>Viewer-count changes are batched for this long before the grain hears of them.</summary>
    public TimeSpan ViewerReportDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Standing queries (search pages left open, one per connection) this node holds at most; one
    /// more is refused. Each costs matching on every new comment of the shards (docs/performance.md).
    /// </summary>
    public int StandingQueriesPerNode { get; set; } = 2_000;

    public const int MaxStandingQueriesPerNode = 100_000;
}

/// <summary>See <see cref="RelayOptions.CoalesceFrom"/>.</summary>
public enum CoalesceFrom
{
    FirstArrival,
    LastSend,
}

public sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions o) => ChatOptions.Result(
    [
        o.CoalesceWindow < TimeSpan.Zero || o.CoalesceWindow > TimeSpan.FromSeconds(1)
            ? $"Configuration key {RelayOptions.Section}:CoalesceWindow is {o.CoalesceWindow}; it must be 00:00:00 (adaptive) to 00:00:01 (a fixed window; 00:00:00.010 is the default)." : null,
        o.SubGroups is < 1 or > 64
            ? $"Configuration key {RelayOptions.Section}:SubGroups is {o.SubGroups}; it must be 1 (one group per thread, the default) to 64." : null,
        o.StandingQueriesPerNode is < 0 or > RelayOptions.MaxStandingQueriesPerNode
            ? $"Configuration key {RelayOptions.Section}:StandingQueriesPerNode is {o.StandingQueriesPerNode}; it must be 0 (no live search) to {RelayOptions.MaxStandingQueriesPerNode} (2000 is the default)." : null,
        !Enum.IsDefined(o.CoalesceFrom)
            ? $"Configuration key {RelayOptions.Section}:CoalesceFrom is {o.CoalesceFrom}; it must be FirstArrival or LastSend." : null,
    ]);
}
