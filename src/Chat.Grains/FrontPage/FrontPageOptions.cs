namespace Chat.Grains.FrontPage;

/// <summary>Tuning of <see cref="FrontPageGrain"/>; bound from configuration section "Chat:FrontPage".</summary>
public sealed class FrontPageOptions
{
    public const string Section = "Chat:FrontPage";

    /// <summary>
    /// Web nodes hear that the list changed at most once per period, however many threads changed:
    /// with busy threads the front page would otherwise push to every node all the time.
    /// </summary>
    public TimeSpan PushPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A web node that has not re-subscribed for this long is dropped (it died or left).</summary>
    public TimeSpan SubscriptionExpiry { get; set; } = TimeSpan.FromSeconds(45);
}
