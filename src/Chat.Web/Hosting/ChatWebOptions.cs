namespace Chat.Web.Hosting;

/// <summary>
/// The web host's own top-level keys, bound from section "Chat" (the sections under it belong to
/// their own options classes). <see cref="Topology"/> decides which Orleans role the host takes, so
/// AddChatOrleans reads and checks it while the host is built; the rest is read from these options.
/// </summary>
public sealed class ChatWebOptions
{
    public const string Section = "Chat";

    /// <summary>CoHosted (a silo in this process) or Client (connect to Chat.Silo hosts).</summary>
    public ChatTopology Topology { get; set; } = ChatTopology.CoHosted;

    /// <summary>User names that get the moderator role at sign-in, besides the first account ever registered.</summary>
    public string[] Moderators { get; set; } = [];

    /// <summary>Create the demo thread when the front page is empty (off in tests).</summary>
    public bool SeedDemo { get; set; } = true;
}
