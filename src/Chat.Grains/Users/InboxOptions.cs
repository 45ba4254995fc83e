namespace Chat.Grains.Users;

/// <summary>Reply notifications kept by <see cref="UserGrain"/>; bound from configuration section "Chat:Inbox".</summary>
public sealed class InboxOptions
{
    public const string Section = "Chat:Inbox";

    /// <summary>Replies kept per user (the oldest go first). Bounds the user's grain state.</summary>
    public int Size { get; set; } = 100;

    /// <summary>A web node that has not re-subscribed to a user for this long is dropped.</summary>
    public TimeSpan SubscriptionExpiry { get; set; } = TimeSpan.FromSeconds(45);
}
