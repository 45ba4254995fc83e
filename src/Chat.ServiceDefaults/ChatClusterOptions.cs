using System.Net;
using Microsoft.Extensions.Options;

namespace Chat.ServiceDefaults;

/// <summary>Which cluster a host belongs to; section "Chat:Cluster". Silos and web nodes share it.</summary>
public sealed class ChatClusterOptions
{
    public const string Section = "Chat:Cluster";

    /// <summary>Orleans ClusterId: silos (and clients) with the same id form one cluster. Tests use a fresh one each.</summary>
    public string ClusterId { get; set; } = "chat-dev";

    /// <summary>Orleans ServiceId: the key of grain state; keep it stable across deployments and clusters.</summary>
    public string ServiceId { get; set; } = "chat";

    /// <summary>
    /// For a web node in Client topology: silo gateways as "host:port" entries. Empty means "find
    /// them in the membership table" (Azure Table gateway discovery), the usual choice.
    /// </summary>
    public string[] Gateways { get; set; } = [];

    /// <summary>
    /// How long a grain call waits for its answer (Orleans' default is 30 s). A silo that hangs or
    /// falls off the network answers nothing until the cluster declares it dead; past this the call
    /// fails and the request gets a 503 with Retry-After instead of waiting. Every call of ours
    /// answers in milliseconds when healthy (storage calls are bounded at 1.5-3 s).
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a web node keeps retrying a post (with its clientId) that failed on a cluster change,
    /// so that a poster sees no error for a failover shorter than this. 15 s covers a frozen silo at
    /// the k8s/ membership settings: declared dead ~7 s after it froze, while each attempt on it waits
    /// ResponseTimeout (docs/operations.md, "Failure detection"). 0 turns retries off.
    /// </summary>
    public TimeSpan PostRetryBudget { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// For a web node in Client topology: how often it re-reads the silos' gateways from the
    /// membership table (Orleans' default is 1 min). A frozen silo keeps its sockets open, so the
    /// node learns that its gateway is gone only from the table: until then requests routed through
    /// it wait ResponseTimeout each. One small table query per period per web node.
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For silos: Orleans' activation rebalancer (experimental in Orleans 10), which moves threads
    /// from busier silos to a silo that joined, in cycles after a minute. Off: a joined silo gets
    /// new threads (random placement) and old ones as they deactivate. See docs/operations.md, "Scaling".
    /// </summary>
    public bool ActivationRebalancing { get; set; }

    /// <summary>
    /// With ActivationRebalancing: how long after a silo starts the rebalancer's first cycle runs
    /// (Orleans' RebalancerDueTime; a minute by default, so that a cluster starting up settles first).
    /// </summary>
    public TimeSpan RebalancerDueTime { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Where this silo listens, what address it advertises, and whether it runs in a Kubernetes pod; section "Chat:Silo".</summary>
public sealed class SiloEndpointOptions
{
    public const string Section = "Chat:Silo";

    /// <summary>The address other silos and clients reach this one at (in Kubernetes: the pod IP).</summary>
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Orleans' Kubernetes hosting (k8s/ sets it): the silo watches the pods of its cluster and
    /// declares a silo dead the moment its pod is deleted, instead of waiting for missed probes.
    /// Off by default: local runs and tests have no Kubernetes API.
    /// </summary>
    public bool KubernetesHosting { get; set; }
}

public sealed class ChatClusterOptionsValidator : IValidateOptions<ChatClusterOptions>
{
    private const string Section = ChatClusterOptions.Section;

    public ValidateOptionsResult Validate(string? name, ChatClusterOptions o) => ChatOptions.Result(
    [
        string.IsNullOrWhiteSpace(o.ClusterId) ? $"Configuration key {Section}:ClusterId is empty; set it to the cluster's name (e.g. chat-prod)." : null,
        string.IsNullOrWhiteSpace(o.ServiceId) ? $"Configuration key {Section}:ServiceId is empty; set it to a stable name (e.g. chat)." : null,
        o.ResponseTimeout < TimeSpan.FromSeconds(1) || o.ResponseTimeout > TimeSpan.FromMinutes(1)
            ? $"Configuration key {Section}:ResponseTimeout is {o.ResponseTimeout}; it must be 00:00:01 to 00:01:00 (00:00:05 is the default)." : null,
        o.PostRetryBudget < TimeSpan.Zero || o.PostRetryBudget > TimeSpan.FromMinutes(1)
            ? $"Configuration key {Section}:PostRetryBudget is {o.PostRetryBudget}; it must be 00:00:00 (no retries) to 00:01:00 (00:00:15 is the default)." : null,
        o.GatewayListRefreshPeriod < TimeSpan.FromSeconds(1) || o.GatewayListRefreshPeriod > TimeSpan.FromMinutes(5)
            ? $"Configuration key {Section}:GatewayListRefreshPeriod is {o.GatewayListRefreshPeriod}; it must be 00:00:01 to 00:05:00 (00:00:02 is the default)." : null,
        o.RebalancerDueTime < TimeSpan.FromSeconds(1) || o.RebalancerDueTime > TimeSpan.FromHours(1)
            ? $"Configuration key {Section}:RebalancerDueTime is {o.RebalancerDueTime}; it must be 00:00:01 to 01:00:00 (00:01:00 is the default)." : null,
        .. o.Gateways.Where(g => ChatConfiguration.TryParseGateway(g) is null)
            .Select(g => $"Configuration key {Section}:Gateways has '{g}'; each entry must be IP:port of a silo's gateway, e.g. 127.0.0.1:30000."),
    ]);
}

public sealed class SiloEndpointOptionsValidator : IValidateOptions<SiloEndpointOptions>
{
    private const string Section = SiloEndpointOptions.Section;

    public ValidateOptionsResult Validate(string? name, SiloEndpointOptions o) => ChatOptions.Result(
    [
        IPAddress.TryParse(o.AdvertisedIp, out _) ? null
            : $"Configuration key {Section}:AdvertisedIp = '{o.AdvertisedIp}' is not an IP address. Set it (or Chat__Silo__AdvertisedIp) to this host's IP, e.g. the pod IP.",
        o.SiloPort is <= 0 or > 65535 ? $"Configuration key {Section}:SiloPort = {o.SiloPort} is not a port (1-65535)." : null,
        o.GatewayPort is <= 0 or > 65535 ? $"Configuration key {Section}:GatewayPort = {o.GatewayPort} is not a port (1-65535)." : null,
    ]);
}
