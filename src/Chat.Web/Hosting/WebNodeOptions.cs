using Microsoft.Extensions.Options;

namespace Chat.Web.Hosting;

/// <summary>Section "Chat:Web": how this web node leaves when it is stopped.</summary>
public sealed class WebNodeOptions
{
    public const string Section = "Chat:Web";

    /// <summary>
    /// How long a stopping node (SIGTERM) waits, after telling its clients to reconnect, for them to
    /// leave and for the hub calls they made to be answered, before SignalR closes what is left. A
    /// client that waits for its calls in flight before it leaves (the pages, the .NET test client)
    /// needs no retry. 0 = no wait: the old behaviour (Reconnect, then every connection closed at once).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What the host's shutdown timeout (HostOptions.ShutdownTimeout) allows beyond the drain: Kestrel
    /// finishing the HTTP requests in flight, and the hosted services' own stops (the relays
    /// unsubscribing). 30 s in all at the default drain, ASP.NET Core's own default.
    /// </summary>
    public static readonly TimeSpan StopAfterDrain = TimeSpan.FromSeconds(20);
}

public sealed class WebNodeOptionsValidator : IValidateOptions<WebNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, WebNodeOptions o) => ChatOptions.Result(
    [
        o.DrainTimeout < TimeSpan.Zero || o.DrainTimeout > TimeSpan.FromMinutes(1)
            ? $"Configuration key {WebNodeOptions.Section}:DrainTimeout is {o.DrainTimeout}; it must be 00:00:00 (no drain) to 00:01:00 (00:00:10 is the default); keep the pods' terminationGracePeriodSeconds above it plus 20 s." : null,
    ]);
}
