namespace Chat.Contracts;

/// <summary>
/// The one meter, "Chat", that the grains (ChatMetrics), the web node (WebMetrics), both hosts'
/// shared parts (ClusterMetrics, the build info) and <see cref="PostStages"/> record into, and that
/// the hosts export. Here, because this is the one assembly all of them see.
/// </summary>
public static class ChatMeter
{
    public const string Name = "Chat";
}
