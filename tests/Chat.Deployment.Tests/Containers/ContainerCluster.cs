using System.Diagnostics;
using System.Text.Json;

namespace Chat.Deployment.Tests.Containers;

/// <summary>
/// The dev overlay's pods as containers of a dockerd of the test's own: Azurite, then the silos,
/// then the web nodes, each started when the previous tier is Ready, two of each (the dev HPAs'
/// maxReplicas). The images are built first from the repository's Dockerfiles on local stand-ins
/// for the base images (k8s/images/*.sh), or reused when the engine's data root has them.
/// No Kubernetes: nothing schedules, no Service balances, no HPA or PDB acts (see docs/operations.md).
/// </summary>
public sealed class ContainerCluster : IAsyncLifetime
{
    public const string Overlay = "dev";

    private readonly Dictionary<string, KubeletProbes> _probes = [];
    private readonly string _volumes = Directory.CreateTempSubdirectory("chat-pod-volumes-").FullName;
    private DockerEngine? _engine;

    public Manifests Manifests { get; } = Manifests.Of(Overlay);
    public DockerEngine Engine => _engine ?? throw new InvalidOperationException(DockerEngine.SkipReason ?? "the engine did not start");
    public List<PodContainer> Pods { get; } = [];
    public PodContainer Azurite => Pods.Single(p => p.Deployment.Metadata.Name == "azurite");
    public IReadOnlyList<PodContainer> Silos => [.. Pods.Where(p => p.Deployment.Metadata.Name == AppSettings.Silo)];
    public IReadOnlyList<PodContainer> Webs => [.. Pods.Where(p => p.Deployment.Metadata.Name == AppSettings.Web)];
    public Uri[] WebAddresses => [.. Webs.Select(w => w.Http)];

    /// <summary>How long a pod may take to pass its startup and readiness probes on a busy 2-core machine.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    /// <summary>The time each stage took (image builds, pod starts), for the test output.</summary>
    public List<string> Timings { get; } = [];

    public async Task InitializeAsync()
    {
        if (DockerEngine.SkipReason is not null) return;
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // stop the engine now, whatever xunit does with a fixture that failed to start
            throw;
        }
    }

    private async Task StartAsync()
    {
        var clock = Stopwatch.StartNew();
        _engine = await DockerEngine.StartAsync();
        await Engine.RunScriptAsync("k8s/images/build-standins.sh");
        Timings.Add($"stand-ins ready at {clock.Elapsed.TotalSeconds:0} s");
        var images = new[] { AppSettings.Silo, AppSettings.Web }.Select(d => Manifests.Deployment(d).Spec.Template.Spec.Containers.Single().Image).ToArray();
        await Engine.RunScriptAsync("k8s/images/build-images.sh", images);
        Timings.Add($"{string.Join(", ", images)} built at {clock.Elapsed.TotalSeconds:0} s");

        // Tier by tier, as the product needs them (Kubernetes would start them all and let the probes sort it out).
        foreach (var deployment in new[] { "azurite", AppSettings.Silo, AppSettings.Web })
        {
            var replicas = Replicas(deployment);
            var started = Enumerable.Range(0, replicas).Select(i => PodContainer.Create(Manifests.Deployment(deployment), i)).ToList();
            Pods.AddRange(started);
            foreach (var pod in started) await RunAsync(pod);
            await Task.WhenAll(started.Select(WaitReadyAsync));
            Timings.Add($"{replicas} × {deployment} Ready at {clock.Elapsed.TotalSeconds:0} s");
        }
    }

    /// <summary>The dev HPA's maxReplicas where a Deployment has one (the cluster at its dev scale), else its replicas.</summary>
    private int Replicas(string deployment) =>
        Manifests.All<V2HorizontalPodAutoscaler>().SingleOrDefault(h => h.Spec.ScaleTargetRef.Name == deployment)?.Spec.MaxReplicas
        ?? Manifests.Deployment(deployment).Spec.Replicas ?? 1;

    public KubeletProbes Probes(PodContainer pod) => _probes[pod.Name];

    public async Task WaitReadyAsync(PodContainer pod)
    {
        var probes = Probes(pod);
        try
        {
            await Eventually.True(() => probes.Ready || probes.StartupFailure is not null, StartDeadline, $"{pod.Name} Ready");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await LogsAsync(pod)}", e);
        }
        if (probes.StartupFailure is not null)
            throw new InvalidOperationException($"{probes.StartupFailure}\n{await LogsAsync(pod)}");
    }

    /// <summary>
    /// Terminates a pod as the kubelet does: not Ready (no new traffic), the preStop hook, then
    /// SIGTERM with what is left of terminationGracePeriodSeconds before SIGKILL (`docker stop -t`).
    /// Returns the container's exit code (137: it was killed at the end of the grace period).
    /// </summary>
    public async Task<int> TerminateAsync(PodContainer pod)
    {
        var clock = Stopwatch.StartNew();
        await StopProbingAsync(pod);
        switch (pod.Container.Lifecycle?.PreStop)
        {
            case { Sleep: { } sleep }:
                await Task.Delay(TimeSpan.FromSeconds(sleep.Seconds));
                break;
            case { Exec: { } exec }:
                await Engine.TryRunAsync(["exec", pod.Name, .. exec.Command]);
                break;
            case null:
                break;
            default:
                throw new NotSupportedException($"{pod.Name}: a preStop hook that is neither sleep nor exec");
        }
        var left = Math.Max(2, pod.GracePeriodSeconds - (int)clock.Elapsed.TotalSeconds);
        await Engine.RunAsync("stop", "-t", $"{left}", pod.Name);
        return int.Parse(await Engine.RunAsync("inspect", "-f", "{{.State.ExitCode}}", pod.Name));
    }

    /// <summary>SIGKILL, as a node dying or the OOM killer would.</summary>
    public async Task KillAsync(PodContainer pod)
    {
        await StopProbingAsync(pod);
        await Engine.RunAsync("kill", pod.Name);
    }

    /// <summary>Starts a stopped pod again with the same settings (as a new pod of the Deployment would be) and waits until it is Ready.</summary>
    public async Task RestartAsync(PodContainer pod)
    {
        await Engine.RunAsync("start", pod.Name);
        _probes[pod.Name] = KubeletProbes.Start(pod, Engine);
        await WaitReadyAsync(pod);
    }

    public Task<string> ExecAsync(PodContainer pod, params string[] command) => Engine.RunAsync(["exec", pod.Name, .. command]);

    public async Task<string> LogsAsync(PodContainer pod)
    {
        var logs = await Engine.TryRunAsync("logs", "--tail", "200", pod.Name);
        return $"--- {pod.Name} ---\n{logs.Output}{logs.Error}";
    }

    private async Task RunAsync(PodContainer pod)
    {
        var image = pod.Container.Image;
        var user = await Engine.RunAsync("image", "inspect", "-f", "{{.Config.User}}", image);
        var environment = JsonSerializer.Deserialize<string[]>(await Engine.RunAsync("image", "inspect", "-f", "{{json .Config.Env}}", image))!
            .Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);
        var runAsUser = pod.Container.SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser;
        // runAsNonRoot: the kubelet refuses an image whose user is root or not numeric (it cannot verify a name).
        if (pod.Spec.SecurityContext?.RunAsNonRoot == true && runAsUser is null && (!long.TryParse(user.Split(':')[0], out var uid) || uid == 0))
            throw new InvalidOperationException($"{pod.Name}: runAsNonRoot, but {image} runs as '{user}' (the kubelet needs a numeric non-zero uid)");
        await Engine.RunAsync([.. pod.RunArguments(Manifests, Pods, environment, _volumes)]);
        _probes[pod.Name] = KubeletProbes.Start(pod, Engine);
    }

    private async Task StopProbingAsync(PodContainer pod)
    {
        if (_probes.Remove(pod.Name, out var probes)) await probes.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var probes in _probes.Values) await probes.DisposeAsync();
        _probes.Clear();
        if (_engine is not null) await _engine.DisposeAsync();
        _engine = null;
        if (Directory.Exists(_volumes)) Directory.Delete(_volumes, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ContainerClusterCollection : ICollectionFixture<ContainerCluster>
{
    public const string Name = "container cluster";
}

/// <summary>A fact that runs only where the container tests can: as root, with docker and debootstrap installed.</summary>
public sealed class ContainerFactAttribute : FactAttribute
{
    public ContainerFactAttribute() => Skip = DockerEngine.SkipReason;
}
