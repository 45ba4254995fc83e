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
    /// less per comment). 0, the default, is adaptive: a batch goes out at once when no send of the
    /// thread is in progress, and what arrives during one goes out as the next message, so a quiet
    /// thread waits for nothing and a busy one batches as much as its sends take. A positive value
    /// is a fixed window every batch waits out first (10 ms was the default before; measurements
    /// in docs/performance.md).
    /// </summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.Zero;

    /// <summary>Viewer-count changes are batched for this long before the grain hears of them.</summary>
    public TimeSpan ViewerReportDelay { get; set; } = TimeSpan.FromMilliseconds(250);
}

public sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions o) => ChatOptions.Result(
    [
        o.CoalesceWindow < TimeSpan.Zero || o.CoalesceWindow > TimeSpan.FromSeconds(1)
            ? $"Configuration key {RelayOptions.Section}:CoalesceWindow is {o.CoalesceWindow}; it must be 00:00:00 (adaptive, the default) to 00:00:01 (a fixed window)." : null,
    ]);
}
