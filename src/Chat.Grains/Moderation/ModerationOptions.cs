using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

public static class ModerationExtensions
{
    /// <summary>Binds and checks Chat:Moderation: a bad value stops the silo at start, naming the key.</summary>
    public static IServiceCollection AddChatModeration(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ModerationOptions.Section);
        var options = section.Get<ModerationOptions>() ?? new ModerationOptions();
        if (options.FlagsToHide is < 1 or > 100)
            throw new InvalidOperationException($"Configuration key {ModerationOptions.Section}:FlagsToHide is {options.FlagsToHide}; it must be 1 to 100 (3 is the default).");
        if (options.QueueSize is < 1 or > 10_000)
            throw new InvalidOperationException($"Configuration key {ModerationOptions.Section}:QueueSize is {options.QueueSize}; it must be 1 to 10000.");
        if (options.FlagsKeptPerComment < options.FlagsToHide)
            throw new InvalidOperationException($"Configuration key {ModerationOptions.Section}:FlagsKeptPerComment is {options.FlagsKeptPerComment}; it must be at least FlagsToHide ({options.FlagsToHide}).");
        services.Configure<ModerationOptions>(section);
        return services;
    }
}
