using Microsoft.Extensions.Options;

namespace Chat.Web.Hubs;

/// <summary>Which pages this web node serves (<see cref="PageProtocol"/>); section "Chat:Pages".</summary>
public sealed class PagesOptions
{
    public const string Section = "Chat:Pages";

    /// <summary>The oldest page protocol served (0 to <see cref="PageProtocol.Current"/>; default 0): pages below it are told to reload.</summary>
    public int OldestProtocol { get; set; }
}

public sealed class PagesOptionsValidator : IValidateOptions<PagesOptions>
{
    public ValidateOptionsResult Validate(string? name, PagesOptions o) => ChatOptions.Result(
    [
        o.OldestProtocol is < 0 or > PageProtocol.Current
            ? $"Configuration key {PagesOptions.Section}:OldestProtocol is {o.OldestProtocol}; it must be a page protocol from 0 to {PageProtocol.Current}." : null,
    ]);
}
