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
    /// Comments of a thread that reach this node within this window go to its readers as one
    /// <c>Comments</c> message per connection (0 = each batch the grain sends goes out at once).
    /// Fewer, fuller frames cost the node and every reader less per comment, for at most this much
    /// latency. 10 ms, by measurement (docs/performance.md): with 2,000 readers of one thread, p99
    /// post -> delivered at 180 posts/s went from 1.7 s (no window) to 88 ms; 25 ms was no better.
    /// </summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Viewer-count changes are batched for this long before the grain hears of them.</summary>
    public TimeSpan ViewerReportDelay { get; set; } = TimeSpan.FromMilliseconds(250);
}

public sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions o) => ChatOptions.Result(
    [
        o.CoalesceWindow < TimeSpan.Zero || o.CoalesceWindow > TimeSpan.FromSeconds(1)
            ? $"Configuration key {RelayOptions.Section}:CoalesceWindow is {o.CoalesceWindow}; it must be 00:00:00 (off) to 00:00:01." : null,
    ]);
}
