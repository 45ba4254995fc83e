using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chat.ServiceDefaults;

/// <summary>
/// The keys both hosts share, as options (bound, validated, checked at start: a bad value stops the
/// host with a message that names the key and says what to set, instead of a silo that never joins).
/// The few values the host's shape depends on (the storage account the clients are made with,
/// whether to run Kubernetes hosting, static gateways or not) are read while the host is built, and
/// the storage account is checked then, by the same validator.
/// </summary>
public static class ChatConfiguration
{
    /// <summary>The Azure Storage account of grain state, the comment log, membership and the web nodes' key ring.</summary>
    public const string ConnectionStringKey = ChatStorageOptions.Section + ":ConnectionString";

    /// <summary>Chat:Cluster, for a silo and a client alike.</summary>
    public static OptionsBuilder<ChatClusterOptions> AddChatClusterOptions(this IServiceCollection services, IConfiguration configuration) =>
        services.AddChatOptions<ChatClusterOptions, ChatClusterOptionsValidator>(configuration, ChatClusterOptions.Section);

    /// <summary>
    /// Chat:Storage, registered and checked at start like every section, and read now: the storage
    /// clients are made while the host is built. Throws the validator's message at once if it is bad.
    /// </summary>
    public static string RequireConnectionString(IServiceCollection services, IConfiguration configuration)
    {
        services.AddChatOptions<ChatStorageOptions, ChatStorageOptionsValidator>(configuration, ChatStorageOptions.Section);
        return RequireConnectionString(configuration);
    }

    /// <summary>The connection string, checked by <see cref="ChatStorageOptionsValidator"/> (an OptionsValidationException names the key).</summary>
    public static string RequireConnectionString(IConfiguration configuration)
    {
        var options = configuration.GetSection(ChatStorageOptions.Section).Get<ChatStorageOptions>() ?? new ChatStorageOptions();
        var result = new ChatStorageOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(ChatStorageOptions), result.Failures);
        return options.ConnectionString!;
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
    /// Whether to use Orleans' Kubernetes hosting: decided while the silo is built (it adds services).
    /// Asked for outside a pod (or in one without the downward-API variables) it would fail later and
    /// less clearly, so it is refused here; that is the environment's fault, not a key's value.
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

    /// <summary>A gateway entry as IP:port, or null (<see cref="ChatClusterOptionsValidator"/> names a bad one).</summary>
    public static System.Net.IPEndPoint? TryParseGateway(string entry) =>
        System.Net.IPEndPoint.TryParse(entry, out var endpoint) && endpoint.Port > 0 ? endpoint : null;
}
