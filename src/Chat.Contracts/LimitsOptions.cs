using Microsoft.Extensions.Options;

namespace Chat.Contracts;

/// <summary>
/// Abuse limits; section "Chat:Limits". Defaults suit people; raise them for load tests (a load
/// generator's posters post far faster than any person). Here, not in Chat.Grains, because the
/// silo (per-user buckets in the user's grain, mentions) and the web node (per-IP and per-connection
/// limits) read the same section, and the web node must not depend on the grains' assembly.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Chat:Limits";

    /// <summary>Steady posting rate per user, cluster-wide (the bucket lives in the user's grain).</summary>
    public double PostsPerSecondPerUser { get; set; } = 10;

    /// <summary>Posts a user may make in a burst before the steady rate applies.</summary>
    public int PostBurstPerUser { get; set; } = 30;

    /// <summary>Failed logins per user name within <see cref="FailedLoginWindow"/> before the name is locked for the rest of it.</summary>
    public int FailedLoginsPerUser { get; set; } = 5;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Register and login requests per client IP per minute, per web node.</summary>
    public int AuthRequestsPerIpPerMinute { get; set; } = 60;

    /// <summary>Searches (GET /api/search) per client IP per minute, per web node: a search asks every index shard.</summary>
    public int SearchesPerIpPerMinute { get; set; } = 60;

    /// <summary>Open hub connections per client IP, per web node.</summary>
    public int ConnectionsPerIp { get; set; } = 1_000;

    /// <summary>Open hub connections per web node, all clients together; 0 = no limit (see NodeConnectionLimit).</summary>
    public int ConnectionsPerNode { get; set; }

    /// <summary>Hub method calls per connection per second (steady) and in a burst.</summary>
    public double HubInvocationsPerSecond { get; set; } = 20;

    public int HubInvocationBurst { get; set; } = 60;

    /// <summary>
    /// Distinct users an "@name" comment notifies at most (0 = mentions off). Names that are no
    /// account, and the author, do not count; at most twice this many names are looked up per comment.
    /// </summary>
    public int MentionsPerComment { get; set; } = 5;

    /// <summary>Flags per user per minute (steady, cluster-wide: the bucket lives in the user's grain) and in a burst.</summary>
    public double FlagsPerMinutePerUser { get; set; } = 6;

    public int FlagBurstPerUser { get; set; } = 10;

    public const int MaxMentionsPerComment = 50;
}

/// <summary>
/// A host must not start with limits it cannot honour. One validator for silo and web node alike
/// (a co-hosted node registers it once), so that every host refuses the same values.
/// </summary>
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    private const string Section = LimitsOptions.Section;

    public ValidateOptionsResult Validate(string? name, LimitsOptions o) => ChatOptions.Result(
    [
        o.MentionsPerComment is < 0 or > LimitsOptions.MaxMentionsPerComment
            ? $"Configuration key {Section}:MentionsPerComment is {o.MentionsPerComment}; it must be 0 (off) to {LimitsOptions.MaxMentionsPerComment}." : null,
        o.FlagsPerMinutePerUser <= 0 || o.FlagBurstPerUser < 1
            ? $"Configuration keys {Section}:FlagsPerMinutePerUser and {Section}:FlagBurstPerUser must be above 0 (they are {o.FlagsPerMinutePerUser} and {o.FlagBurstPerUser})." : null,
        o.ConnectionsPerNode < 0
            ? $"Configuration key {Section}:ConnectionsPerNode is {o.ConnectionsPerNode}; it must be 0 (no limit) or more." : null,
    ]);
}
