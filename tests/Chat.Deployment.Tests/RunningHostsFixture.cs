namespace Chat.Deployment.Tests;

/// <summary>
/// The topology the manifests deploy, as real processes on loopback: Azurite, one Chat.Silo and one
/// Chat.Web in Client topology, each started with the Chat settings the prod overlay gives it
/// (except what only makes sense in a pod: cluster id, ports, the advertised pod IP and Orleans'
/// Kubernetes hosting, which needs the Kubernetes API).
/// </summary>
public sealed class RunningHostsFixture : IAsyncLifetime
{
    private static readonly string[] PodOnlySettings =
        ["Chat__Cluster__ClusterId", "Chat__Silo__SiloPort", "Chat__Silo__GatewayPort", "Chat__Silo__AdvertisedIp", "Chat__Storage__ConnectionString",
         "Chat__Silo__KubernetesHosting"];

    public AzuriteServer Azurite { get; private set; } = null!;
    public HostProcess Silo { get; private set; } = null!;
    public HostProcess Web { get; private set; } = null!;

    public HostProcess Host(string deployment) => deployment switch
    {
        AppSettings.Silo => Silo,
        AppSettings.Web => Web,
        _ => throw new ArgumentOutOfRangeException(nameof(deployment), deployment, null),
    };

    public async Task InitializeAsync()
    {
        var manifests = Manifests.Of("prod");
        var clusterId = "k8s-" + Guid.NewGuid().ToString("N")[..12];
        Azurite = await AzuriteServer.StartAsync();
        Silo = await HostProcess.StartSiloAsync(Azurite.ConnectionString, clusterId, Settings(manifests, AppSettings.Silo));
        Web = await HostProcess.StartWebClientAsync(Azurite.ConnectionString, clusterId, Settings(manifests, AppSettings.Web));
    }

    public async Task DisposeAsync()
    {
        if (Web is not null) await Web.DisposeAsync();
        if (Silo is not null) await Silo.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
    }

    /// <summary>The Chat settings the manifests give the deployment's container, less those that only make sense in a pod.</summary>
    internal static Dictionary<string, string> Settings(Manifests manifests, string deployment)
    {
        var container = Assert.Single(manifests.Deployment(deployment).Spec.Template.Spec.Containers);
        return ManifestTests.Environment(manifests, container)
            .Where(kv => ManifestTests.IsChatSetting(kv.Key) && kv.Value is not null && !PodOnlySettings.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value!);
    }
}

[CollectionDefinition(Name)]
public sealed class RunningHostsCollection : ICollectionFixture<RunningHostsFixture>
{
    public const string Name = "running hosts";
}
