using Microsoft.Extensions.Options;

namespace Chat.Grains.Moderation;

/// <summary>Readers' flags and the moderation queue (<see cref="FlagQueueGrain"/>); section "Chat:Moderation".</summary>
public sealed class ModerationOptions
{
    public const string Section = "Chat:Moderation";

    /// <summary>Distinct readers whose flags hide a comment until a moderator decides.</summary>
    public int FlagsToHide { get; set; } = 3;

    /// <summary>Flagged comments the queue holds at most; flags on further comments are refused (429) until moderators decide some.</summary>
    public int QueueSize { get; set; } = 1_000;

    /// <summary>Flags kept per comment (with the flaggers' names); more still count towards nothing, the comment being queued already.</summary>
    public int FlagsKeptPerComment { get; set; } = 50;

    /// <summary>A web node that has not re-subscribed to the queue for this long is dropped.</summary>
    public TimeSpan SubscriptionExpiry { get; set; } = TimeSpan.FromSeconds(45);
}

public sealed class ModerationOptionsValidator : IValidateOptions<ModerationOptions>
{
    private const string Section = ModerationOptions.Section;

    public ValidateOptionsResult Validate(string? name, ModerationOptions o) => ChatOptions.Result(
    [
        o.FlagsToHide is < 1 or > 100 ? $"Configuration key {Section}:FlagsToHide is {o.FlagsToHide}; it must be 1 to 100 (3 is the default)." : null,
        o.QueueSize is < 1 or > 10_000 ? $"Configuration key {Section}:QueueSize is {o.QueueSize}; it must be 1 to 10000." : null,
        o.FlagsKeptPerComment < o.FlagsToHide ? $"Configuration key {Section}:FlagsKeptPerComment is {o.FlagsKeptPerComment}; it must be at least FlagsToHide ({o.FlagsToHide})." : null,
    ]);
}
