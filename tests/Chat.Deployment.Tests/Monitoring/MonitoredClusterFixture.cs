using System.Text.Json;
using YamlDotNet.Serialization;

namespace Chat.Deployment.Tests.Monitoring;

/// <summary>
/// The prod overlay's topology as processes on loopback (two silos, one web node, Azurite; the
/// manifests' Chat settings), scraped every second by a real Prometheus running the scrape job that
/// k8s/monitoring ships and evaluating its alert rules, after some load: readers connected, comments
/// posted through the HTTP API and pushed to every reader.
/// </summary>
/// <remarks>
/// What cannot run without a Kubernetes API is pod discovery itself: the job's kubernetes_sd_configs
/// is replaced by a file_sd target list that carries the labels pod discovery would give each pod
/// (namespace, pod name and IP, its labels and annotations from the rendered manifests, one target
/// per container port). Two values differ from a cluster: the pod IP is 127.0.0.1 and the
/// prometheus.io/port annotation is the host's free port, since the hosts cannot all listen on 8080.
/// Every relabelling then runs as in a cluster. (Debian's Prometheus is also built without the
/// Kubernetes discovery, so it could not even parse kubernetes_sd_configs.)
/// </remarks>
public sealed class MonitoredClusterFixture : IAsyncLifetime
{
    public const int SiloCount = 2;
    public const int ReaderCount = 4;
    public const int PostCount = 24;
    private const string Namespace = "chat";

    private readonly List<ThreadReader> _readers = [];
    private ChatApiClient? _poster;

    public AzuriteServer? Azurite { get; private set; }
    public List<HostProcess> Silos { get; } = [];
    public HostProcess? Web { get; private set; }
    public PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>The pod names the targets carry: "chat-silo-0", "chat-silo-1", "chat-web-0".</summary>
    public IReadOnlyList<(string Pod, string Component, HostProcess Host)> Pods { get; private set; } = [];

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var manifests = Manifests.Of("prod");
        var clusterId = "mon-" + Guid.NewGuid().ToString("N")[..12];
        Azurite = await AzuriteServer.StartAsync();
        var siloSettings = RunningHostsFixture.Settings(manifests, AppSettings.Silo);
        // Started one after the other: the first silo founds the cluster, the second joins it.
        for (var i = 0; i < SiloCount; i++) Silos.Add(await HostProcess.StartSiloAsync(Azurite.ConnectionString, clusterId, siloSettings));
        Web = await HostProcess.StartWebClientAsync(Azurite.ConnectionString, clusterId, RunningHostsFixture.Settings(manifests, AppSettings.Web));
        Pods = [.. Silos.Select((s, i) => ($"{AppSettings.Silo}-{i}", "silo", s)), ($"{AppSettings.Web}-0", "web", Web)];

        Prometheus = await PrometheusServer.StartAsync(LocalConfiguration(), new Dictionary<string, string> { ["targets.json"] = Targets(manifests) });
        await Eventually.True(async () => (await Prometheus.ScalarAsync("""count(up{job="chat"} == 1)""")) == Pods.Count,
            TimeSpan.FromSeconds(30), $"Prometheus scraping all {Pods.Count} hosts");

        await ApplyLoadAsync();
        // The scrape after the load: what the tests read is then there to stay.
        await Eventually.True(async () =>
                await Prometheus.ScalarAsync("""sum(chat_comments_acknowledged_total{job="chat"})""") >= PostCount
                && await Prometheus.ScalarAsync("""sum(chat_signalr_deliveries_total{job="chat"})""") >= ReaderCount
                && await Prometheus.ScalarAsync("""sum(chat_post_ack_latency_milliseconds_count{job="chat"})""") >= PostCount
                && await Prometheus.ScalarAsync("""sum(chat_search_query_duration_milliseconds_count{job="chat"})""") >= 1,
            TimeSpan.FromSeconds(30), "Prometheus seeing the load's comments acknowledged and delivered");
    }

    private async Task ApplyLoadAsync()
    {
        _poster = await ChatApiClient.SignedUpAsync(Web!.BaseAddress);
        var threadId = await _poster.CreateThreadAsync("Watched by Prometheus");
        for (var i = 0; i < ReaderCount; i++) _readers.Add(await ThreadReader.ConnectAsync(Web.BaseAddress, threadId));
        for (var i = 0; i < PostCount; i++) await _poster.PostCommentSeqAsync(threadId, 0, $"comment {i}");
        await Eventually.True(() => _readers.All(r => r.LastSeq >= PostCount), TimeSpan.FromSeconds(30), $"every reader receiving all {PostCount} comments");
        // Someone searches too: the search series exist once a query ran.
        (await _poster.Http.GetAsync("/api/search?q=comment")).EnsureSuccessStatusCode();
    }

    /// <summary>The shipped job with file_sd for pod discovery, scraping and evaluating every second.</summary>
    private static string LocalConfiguration()
    {
        var job = MonitoringFiles.ScrapeJob();
        Assert.True(job.Remove("kubernetes_sd_configs"), "the chat job no longer uses kubernetes_sd_configs: update this fixture");
        job["file_sd_configs"] = new List<object> { new Dictionary<string, object> { ["files"] = new List<object> { "targets.json" } } };
        job["scrape_interval"] = "1s";
        var configuration = new Dictionary<string, object>
        {
            ["global"] = new Dictionary<string, object> { ["scrape_interval"] = "1s", ["evaluation_interval"] = "1s" },
            ["rule_files"] = new List<object> { MonitoringFiles.Rules },
            ["scrape_configs"] = new List<object> { job },
        };
        return new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(configuration);
    }

    /// <summary>What Kubernetes pod discovery would give for each host's pod, from the rendered manifests.</summary>
    private string Targets(Manifests manifests)
    {
        var groups = new List<object>();
        foreach (var (pod, _, host) in Pods)
        {
            var template = manifests.Deployment(pod[..pod.LastIndexOf('-')]).Spec.Template;
            var labels = new Dictionary<string, string>
            {
                ["__meta_kubernetes_namespace"] = Namespace,
                ["__meta_kubernetes_pod_name"] = pod,
                ["__meta_kubernetes_pod_ip"] = "127.0.0.1",
            };
            foreach (var (key, value) in template.Metadata.Labels)
            {
                labels["__meta_kubernetes_pod_label_" + LabelName(key)] = value;
                labels["__meta_kubernetes_pod_labelpresent_" + LabelName(key)] = "true";
            }
            foreach (var (key, value) in template.Metadata.Annotations)
            {
                labels["__meta_kubernetes_pod_annotation_" + LabelName(key)] = key == "prometheus.io/port" ? host.BaseAddress.Port.ToString() : value;
                labels["__meta_kubernetes_pod_annotationpresent_" + LabelName(key)] = "true";
            }
            var container = Assert.Single(template.Spec.Containers);
            foreach (var port in container.Ports)
                groups.Add(new
                {
                    targets = new[] { $"127.0.0.1:{port.ContainerPort}" },
                    labels = new Dictionary<string, string>(labels)
                    {
                        ["__meta_kubernetes_pod_container_name"] = container.Name,
                        ["__meta_kubernetes_pod_container_port_name"] = port.Name,
                        ["__meta_kubernetes_pod_container_port_number"] = port.ContainerPort.ToString(),
                    },
                });
        }
        Assert.Equal(Namespace, manifests.Deployment(AppSettings.Silo).Metadata.NamespaceProperty);
        return JsonSerializer.Serialize(groups);
    }

    /// <summary>As Prometheus' discovery makes label names of Kubernetes ones: "app.kubernetes.io/name" → "app_kubernetes_io_name".</summary>
    private static string LabelName(string key) => string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));

    public async Task DisposeAsync()
    {
        foreach (var reader in _readers) await reader.DisposeAsync();
        _readers.Clear();
        _poster?.Dispose();
        _poster = null;
        if (Prometheus is not null) await Prometheus.DisposeAsync();
        Prometheus = null!;
        if (Web is not null) await Web.DisposeAsync();
        Web = null;
        foreach (var silo in Silos) await silo.DisposeAsync();
        Silos.Clear();
        if (Azurite is not null) await Azurite.DisposeAsync();
        Azurite = null;
    }
}
