using Azure.Data.Tables;
using Chat.Grains;
using Microsoft.Extensions.Configuration;

namespace Chat.ServiceDefaults;

/// <summary>
/// Reads and checks the keys both hosts share. Fail fast: a bad value stops the host at start with a
/// message that names the key and says what to set, instead of a silo that never joins.
/// </summary>
public static class ChatConfiguration
{
    /// <summary>The Azure Storage account of grain state, the comment log, membership and the web nodes' key ring.</summary>
    public const string ConnectionStringKey = "Chat:Storage:ConnectionString";

    public static string RequireConnectionString(IConfiguration configuration)
    {
        var value = configuration[ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException(
                $"Configuration key {ConnectionStringKey} is not set. Set it (environment variable Chat__Storage__ConnectionString) to an Azure Storage connection string, e.g. UseDevelopmentStorage=true for Azurite on its default port.");
        try
        {
            _ = new TableServiceClient(value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Configuration key {ConnectionStringKey} is not a valid Azure Storage connection string: {ex.Message}", ex);
        }
        return value;
    }

    public static ChatClusterOptions ReadClusterOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(ChatClusterOptions.Section).Get<ChatClusterOptions>() ?? new ChatClusterOptions();
        if (string.IsNullOrWhiteSpace(options.ClusterId)) throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:ClusterId is empty; set it to the cluster's name (e.g. chat-prod).");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:ServiceId is empty; set it to a stable name (e.g. chat).");
        if (options.ResponseTimeout < TimeSpan.FromSeconds(1) || options.ResponseTimeout > TimeSpan.FromMinutes(1))
            throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:ResponseTimeout is {options.ResponseTimeout}; it must be 00:00:01 to 00:01:00 (00:00:05 is the default).");
        if (options.PostRetryBudget < TimeSpan.Zero || options.PostRetryBudget > TimeSpan.FromMinutes(1))
            throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:PostRetryBudget is {options.PostRetryBudget}; it must be 00:00:00 (no retries) to 00:01:00 (00:00:15 is the default).");
        if (options.GatewayListRefreshPeriod < TimeSpan.FromSeconds(1) || options.GatewayListRefreshPeriod > TimeSpan.FromMinutes(5))
            throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:GatewayListRefreshPeriod is {options.GatewayListRefreshPeriod}; it must be 00:00:01 to 00:05:00 (00:00:02 is the default).");
        return options;
    }

    public static SiloEndpointOptions ReadSiloEndpoints(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection(SiloEndpointOptions.Section).Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
        if (endpoints.SiloPort is <= 0 or > 65535) throw BadPort("SiloPort", endpoints.SiloPort);
        if (endpoints.GatewayPort is <= 0 or > 65535) throw BadPort("GatewayPort", endpoints.GatewayPort);
        return endpoints;
    }

    /// <summary>
    /// What Orleans' Kubernetes hosting reads from the pod's environment: the API server's address
    /// (set by Kubernetes in every pod) and the pod's name, namespace and IP (from the downward API).
    /// </summary>
    public static readonly string[] KubernetesEnvironment =
    [
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodNameEnvironmentVariable,
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodIPEnvironmentVariable,
    ];

    /// <summary>
    /// Whether to use Orleans' Kubernetes hosting. Asked for outside a pod (or in one without the
    /// downward-API variables) it would fail later and less clearly, so it is refused here.
    /// </summary>
    public static bool UseKubernetesHosting(SiloEndpointOptions endpoints, Func<string, string?> environment)
    {
        if (!endpoints.KubernetesHosting) return false;
        var missing = KubernetesEnvironment.Where(name => string.IsNullOrWhiteSpace(environment(name))).ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException(
                $"Configuration key {SiloEndpointOptions.Section}:KubernetesHosting is true, but the environment has no {string.Join(", ", missing)}. " +
                "It is for a silo in a Kubernetes pod: set POD_NAME, POD_NAMESPACE and POD_IP from the downward API (see k8s/base/silo-deployment.yaml), or set the key to false outside Kubernetes.");
        return true;
    }

    public static System.Net.IPEndPoint ParseGateway(string entry) =>
        System.Net.IPEndPoint.TryParse(entry, out var endpoint) && endpoint.Port > 0
            ? endpoint
            : throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:Gateways has '{entry}'; each entry must be IP:port of a silo's gateway, e.g. 127.0.0.1:30000.");

    private static InvalidOperationException BadPort(string key, int value) =>
        new($"Configuration key {SiloEndpointOptions.Section}:{key} = {value} is not a port (1-65535).");
}
