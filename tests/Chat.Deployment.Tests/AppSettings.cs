using System.Reflection;
using Chat.Contracts;
using Chat.Grains;
using Chat.ServiceDefaults;
using Chat.Web.Hosting;
using Chat.Web.Realtime;
using Orleans.Configuration;

namespace Chat.Deployment.Tests;

/// <summary>
/// The configuration keys each host reads, derived from the app's options classes by reflection
/// where the app binds a class to a section, plus the few keys it reads one by one.
/// </summary>
public static class AppSettings
{
    public const string Silo = "chat-silo";
    public const string Web = "chat-web";

    public const string ConnectionString = ChatConfiguration.ConnectionStringKey;

    // Section names the app passes as literals to GetSection (AddChatGrains, AddChatSilo, AddChatRealtime).
    private const string ThreadsSection = "Chat:Threads";
    private const string RelaySection = "Chat:Relay";
    private const string MembershipSection = "Chat:Membership";

    // Read one by one: DemoContent reads "Chat:SeedDemo" with GetValue.
    private const string SeedDemoKey = "Chat:SeedDemo";

    /// <summary>Chat.Silo: AddChatSilo's keys.</summary>
    public static readonly IReadOnlySet<string> SiloKeys = Keys(
        [ConnectionString],
        (ChatClusterOptions.Section, typeof(ChatClusterOptions)),
        (SiloEndpointOptions.Section, typeof(SiloEndpointOptions)),
        (ThreadsSection, typeof(ThreadGrainOptions)),
        (LimitsOptions.Section, typeof(LimitsOptions)),
        (Chat.Grains.Search.SearchOptions.Section, typeof(Chat.Grains.Search.SearchOptions)),
        (MembershipSection, typeof(ClusterMembershipOptions)));

    /// <summary>Chat.Web in Client topology (what the manifests run): AddChatClient's keys and the web host's own.</summary>
    public static readonly IReadOnlySet<string> WebClientKeys = Keys(
        [ConnectionString, ChatTopologyExtensions.TopologyKey, SeedDemoKey, Chat.Web.Auth.ModeratorDirectory.ConfigurationKey + ":[]"],
        (ChatClusterOptions.Section, typeof(ChatClusterOptions)),
        (LimitsOptions.Section, typeof(LimitsOptions)),
        (RelaySection, typeof(RelayOptions)),
        (WebNodeOptions.Section, typeof(WebNodeOptions)));

    /// <summary>Keys a host needs and has no default for.</summary>
    public static readonly IReadOnlyList<string> RequiredKeys = [ConnectionString];

    public static IReadOnlySet<string>? KeysOf(string host) => host switch
    {
        Silo => SiloKeys,
        Web => WebClientKeys,
        _ => null,
    };

    /// <summary>"Chat__Cluster__Gateways__0" → "Chat:Cluster:Gateways:0".</summary>
    public static string ToConfigKey(string environmentVariable) => environmentVariable.Replace("__", ":");

    /// <summary>Whether the host reads this key; an index under an array property ("Gateways:0") counts as the property.</summary>
    public static bool Reads(IReadOnlySet<string> known, string key)
    {
        if (known.Contains(key)) return true;
        var last = key.LastIndexOf(':');
        return last > 0 && int.TryParse(key[(last + 1)..], out _) && known.Contains(key[..last] + ":[]");
    }

    private static HashSet<string> Keys(string[] single, params (string Section, Type Options)[] sections)
    {
        var keys = new HashSet<string>(single, StringComparer.OrdinalIgnoreCase);
        foreach (var (section, type) in sections)
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
                keys.Add($"{section}:{property.Name}");
                if (property.PropertyType.IsArray) keys.Add($"{section}:{property.Name}:[]");
            }
        return keys;
    }
}
