using Chat.Web.Hosting;

namespace Chat.Deployment.Tests;

/// <summary>Checks on the rendered objects of each overlay that strict loading alone does not make.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class ManifestTests
{
    /// <summary>ASP.NET Core's default HostOptions.ShutdownTimeout: the silo's (the web host's is its drain plus 20 s).</summary>
    private static readonly TimeSpan SiloShutdownTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Overlay_renders_and_every_document_loads_strictly(string overlay)
    {
        var yaml = Manifests.Render(overlay);
        var objects = k8s.KubernetesYaml.LoadAllFromString(yaml, strict: true);

        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.IsAssignableFrom<k8s.IKubernetesObject>(o));
        var kinds = objects.Cast<k8s.IKubernetesObject>().Select(o => o.Kind).ToHashSet();
        foreach (var kind in new[] { "Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service", "Ingress", "PodDisruptionBudget", "HorizontalPodAutoscaler" })
            Assert.Contains(kind, kinds);
        Assert.Equal(["chat-silo", "chat-web"], Manifests.Of(overlay).Deployments.Select(d => d.Metadata.Name).Where(n => n.StartsWith("chat-")).Order());
    }

    [Fact]
    public void Dev_has_azurite_one_silo_and_one_web_node_prod_has_three_of_each()
    {
        var dev = Manifests.Of("dev");
        Assert.Equal(1, dev.Deployment("chat-silo").Spec.Replicas);
        Assert.Equal(1, dev.Deployment("chat-web").Spec.Replicas);
        var azurite = Assert.Single(dev.Deployment("azurite").Spec.Template.Spec.Containers);
        Assert.Equal("azurite-table", azurite.Command[0]);
        Assert.Contains("--disableTelemetry", azurite.Command);
        Assert.Contains(dev.All<V1PersistentVolumeClaim>(), c => dev.Deployment("azurite").Spec.Template.Spec.Volumes.Any(v => v.PersistentVolumeClaim?.ClaimName == c.Metadata.Name));
        // SIGINT, not SIGTERM, is what makes azurite-table flush its last writes.
        Assert.Contains("kill -INT 1", string.Join(' ', azurite.Lifecycle.PreStop.Exec.Command));

        var prod = Manifests.Of("prod");
        Assert.Equal(3, prod.Deployment("chat-silo").Spec.Replicas);
        Assert.Equal(3, prod.Deployment("chat-web").Spec.Replicas);
        Assert.DoesNotContain(prod.Deployments, d => d.Metadata.Name == "azurite");
        // The operator creates the storage Secret; the manifests only refer to it.
        Assert.Empty(prod.All<V1Secret>());
        foreach (var name in new[] { "chat-silo", "chat-web" })
        {
            var term = Assert.Single(prod.Deployment(name).Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            Assert.Equal("kubernetes.io/hostname", term.PodAffinityTerm.TopologyKey);
            Assert.Equal(name, term.PodAffinityTerm.LabelSelector.MatchLabels["app.kubernetes.io/name"]);
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Deployment_selectors_match_their_pod_template_labels(string overlay)
    {
        foreach (var deployment in Manifests.Of(overlay).Deployments)
        {
            var selector = deployment.Spec.Selector?.MatchLabels;
            Assert.True(selector is { Count: > 0 }, $"{overlay}: Deployment {deployment.Metadata.Name} has no selector");
            Assert.True(Selects(selector, deployment.Spec.Template.Metadata.Labels),
                $"{overlay}: Deployment {deployment.Metadata.Name}'s selector does not match its pod template's labels");
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Services_select_pods_and_target_named_ports_those_containers_have(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        Assert.NotEmpty(manifests.All<V1Service>());
        foreach (var service in manifests.All<V1Service>())
        {
            var pods = manifests.Deployments.Where(d => Selects(service.Spec.Selector, d.Spec.Template.Metadata.Labels)).ToList();
            Assert.True(pods.Count > 0, $"{overlay}: Service {service.Metadata.Name} selects no pods");
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value;
                Assert.False(target is null || int.TryParse(target, out _), $"{overlay}: Service {service.Metadata.Name} port {port.Name} should target a named port, not '{target}'");
                foreach (var deployment in pods)
                    Assert.True(deployment.Spec.Template.Spec.Containers.Any(c => c.Ports?.Any(p => p.Name == target) == true),
                        $"{overlay}: Service {service.Metadata.Name} targets port '{target}', which no container of {deployment.Metadata.Name} names");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Ingress_pdbs_and_hpas_point_at_things_that_exist(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        foreach (var ingress in manifests.All<V1Ingress>())
            foreach (var path in ingress.Spec.Rules.SelectMany(r => r.Http.Paths))
            {
                var service = Assert.Single(manifests.All<V1Service>(), s => s.Metadata.Name == path.Backend.Service.Name);
                Assert.Contains(service.Spec.Ports, p => p.Name == path.Backend.Service.Port.Name);
            }

        foreach (var pdb in manifests.All<V1PodDisruptionBudget>())
            Assert.True(manifests.Deployments.Any(d => Selects(pdb.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)), $"{overlay}: PDB {pdb.Metadata.Name} selects no pods");
        foreach (var name in new[] { "chat-silo", "chat-web" })
            Assert.Contains(manifests.All<V1PodDisruptionBudget>(), p => Selects(p.Spec.Selector.MatchLabels, manifests.Deployment(name).Spec.Template.Metadata.Labels));

        var hpas = manifests.All<V2HorizontalPodAutoscaler>().ToList();
        Assert.Equal(["chat-silo", "chat-web"], hpas.Select(h => h.Spec.ScaleTargetRef.Name).Order());
        foreach (var hpa in hpas)
        {
            Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
            var deployment = manifests.Deployment(hpa.Spec.ScaleTargetRef.Name);
            Assert.InRange(deployment.Spec.Replicas ?? 1, hpa.Spec.MinReplicas ?? 1, hpa.Spec.MaxReplicas);
            Assert.Contains(hpa.Spec.Metrics, m => m.Resource?.Name == "cpu");
            // CPU utilization is measured against the request: without one the HPA cannot work.
            Assert.All(deployment.Spec.Template.Spec.Containers, c => Assert.True(c.Resources?.Requests?.ContainsKey("cpu") == true));
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Every_Chat_setting_the_manifests_set_is_one_the_app_reads(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        foreach (var deployment in manifests.Deployments)
            foreach (var container in deployment.Spec.Template.Spec.Containers)
            {
                var known = AppSettings.KeysOf(ImageName(container.Image));
                foreach (var variable in Environment(manifests, container).Keys.Where(IsChatSetting))
                {
                    var key = AppSettings.ToConfigKey(variable);
                    Assert.True(known is not null && AppSettings.Reads(known, key),
                        $"{overlay}: {deployment.Metadata.Name}/{container.Name} sets {variable}, but {ImageName(container.Image)} does not read '{key}'");
                }
            }

        // A ConfigMap key that looks like a setting but that no container reads would be just as dead.
        foreach (var map in manifests.All<V1ConfigMap>())
            foreach (var key in (map.Data?.Keys ?? []).Where(IsChatSetting))
                Assert.True(AppSettings.SiloKeys.Concat(AppSettings.WebClientKeys).Any(k => string.Equals(k, AppSettings.ToConfigKey(key), StringComparison.OrdinalIgnoreCase)),
                    $"{overlay}: ConfigMap {map.Metadata.Name} has {key}, which no host reads");
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Every_required_setting_is_set_on_both_hosts_from_the_storage_secret(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        foreach (var name in new[] { AppSettings.Silo, AppSettings.Web })
        {
            var container = Assert.Single(manifests.Deployment(name).Spec.Template.Spec.Containers);
            var environment = Environment(manifests, container);
            foreach (var key in AppSettings.RequiredKeys)
                Assert.True(environment.Keys.Any(v => string.Equals(AppSettings.ToConfigKey(v), key, StringComparison.OrdinalIgnoreCase)),
                    $"{overlay}: {name} does not set the required key {key}");

            var reference = container.Env.Single(e => e.Name == "Chat__Storage__ConnectionString").ValueFrom?.SecretKeyRef;
            Assert.NotNull(reference);
            Assert.Equal("connection-string", reference.Key);
            var secrets = manifests.All<V1Secret>().ToList();
            if (secrets.Count == 0)
                Assert.Equal("chat-storage", reference.Name); // created by the operator (prod)
            else
                Assert.Contains(secrets, s => s.Metadata.Name == reference.Name && (s.Data?.ContainsKey("connection-string") == true || s.StringData?.ContainsKey("connection-string") == true));
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Silo_advertises_its_pod_ip_and_exposes_the_ports_it_listens_on(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var container = Assert.Single(manifests.Deployment(AppSettings.Silo).Spec.Template.Spec.Containers);
        var env = container.Env.ToList();

        var podIp = env.FindIndex(e => e.Name == "POD_IP");
        Assert.True(podIp >= 0, "POD_IP is not set");
        Assert.Equal("status.podIP", env[podIp].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.name", env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env.Single(e => e.Name == "POD_NAMESPACE").ValueFrom.FieldRef.FieldPath);
        // $(POD_IP) only expands when POD_IP is defined earlier in the list.
        var advertised = env.FindIndex(e => e.Name == "Chat__Silo__AdvertisedIp");
        Assert.True(advertised > podIp, "Chat__Silo__AdvertisedIp must be set after POD_IP");
        Assert.Equal("$(POD_IP)", env[advertised].Value);

        var environment = Environment(manifests, container);
        var defaults = new Chat.ServiceDefaults.SiloEndpointOptions();
        var siloPort = environment.TryGetValue("Chat__Silo__SiloPort", out var s) ? int.Parse(s!) : defaults.SiloPort;
        var gatewayPort = environment.TryGetValue("Chat__Silo__GatewayPort", out var g) ? int.Parse(g!) : defaults.GatewayPort;
        Assert.Contains(container.Ports, p => p.Name == "silo" && p.ContainerPort == siloPort);
        Assert.Contains(container.Ports, p => p.Name == "gateway" && p.ContainerPort == gatewayPort);
        Assert.Contains(container.Ports, p => p.Name == "http" && p.ContainerPort == 8080);
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Probes_and_metrics_annotations_name_health_paths_on_a_port_the_container_has(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        foreach (var name in new[] { AppSettings.Silo, AppSettings.Web })
        {
            var pod = manifests.Deployment(name).Spec.Template;
            var container = Assert.Single(pod.Spec.Containers);
            Assert.Equal("/health/live", container.StartupProbe?.HttpGet?.Path);
            Assert.Equal("/health/ready", container.ReadinessProbe?.HttpGet?.Path);
            Assert.Equal("/health/live", container.LivenessProbe?.HttpGet?.Path);
            foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
                Assert.Contains(container.Ports, p => p.Name == probe!.HttpGet.Port.Value || p.ContainerPort.ToString() == probe.HttpGet.Port.Value);

            var annotations = pod.Metadata.Annotations;
            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            Assert.Equal("/metrics", annotations["prometheus.io/path"]);
            Assert.Contains(container.Ports, p => p.ContainerPort.ToString() == annotations["prometheus.io/port"]);
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Every_container_requests_cpu_and_memory_and_runs_as_non_root_on_a_read_only_root(string overlay)
    {
        foreach (var deployment in Manifests.Of(overlay).Deployments)
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.True(pod.SecurityContext?.RunAsNonRoot == true, $"{overlay}: {deployment.Metadata.Name} may run as root");
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var requests = container.Resources?.Requests;
                Assert.True(requests?.ContainsKey("cpu") == true && requests.ContainsKey("memory"),
                    $"{overlay}: {deployment.Metadata.Name}/{container.Name} has no cpu and memory requests");
                Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem == true, $"{overlay}: {deployment.Metadata.Name}/{container.Name} has a writable root filesystem");
                Assert.Contains(container.VolumeMounts ?? [], m => m.MountPath == "/tmp");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Every_image_has_an_explicit_tag_that_is_not_latest(string overlay)
    {
        foreach (var deployment in Manifests.Of(overlay).Deployments)
            foreach (var container in deployment.Spec.Template.Spec.Containers.Concat(deployment.Spec.Template.Spec.InitContainers ?? []))
            {
                var tag = ImageTag(container.Image);
                Assert.False(tag is null or "latest", $"{overlay}: {deployment.Metadata.Name}/{container.Name} uses image '{container.Image}' : give it an explicit tag other than latest");
            }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Grace_period_outlasts_pre_stop_plus_shutdown_timeout(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        foreach (var name in new[] { AppSettings.Silo, AppSettings.Web })
        {
            var pod = manifests.Deployment(name).Spec.Template.Spec;
            var preStop = pod.Containers.Max(c => c.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0);
            // A web node drains (Chat:Web:DrainTimeout) inside its shutdown timeout, which is the drain plus 20 s.
            var shutdownTimeout = name == AppSettings.Silo ? SiloShutdownTimeout
                : (Environment(manifests, pod.Containers.Single()).GetValueOrDefault("Chat__Web__DrainTimeout") is { } drain ? TimeSpan.Parse(drain) : new WebNodeOptions().DrainTimeout)
                    + WebNodeOptions.StopAfterDrain;
            Assert.True(pod.TerminationGracePeriodSeconds > preStop + (long)shutdownTimeout.TotalSeconds,
                $"{overlay}: {name} terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} is not longer than preStop {preStop} s + shutdown timeout {shutdownTimeout.TotalSeconds} s");
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Silos_roll_out_with_max_unavailable_zero(string overlay)
    {
        var strategy = Manifests.Of(overlay).Deployment(AppSettings.Silo).Spec.Strategy;
        Assert.Equal("RollingUpdate", strategy.Type);
        Assert.Equal("0", strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.NotEqual("0", strategy.RollingUpdate.MaxSurge?.Value ?? "25%");
    }

    internal static bool IsChatSetting(string name) => name.StartsWith("Chat__", StringComparison.OrdinalIgnoreCase);

    /// <summary>"registry:5000/team/chat-web:1.2" → "chat-web".</summary>
    internal static string ImageName(string image)
    {
        var withoutDigest = image.Split('@')[0];
        var lastSegment = withoutDigest[(withoutDigest.LastIndexOf('/') + 1)..];
        return lastSegment.Split(':')[0];
    }

    private static string? ImageTag(string image)
    {
        if (image.Contains('@')) return "digest";
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.IndexOf(':');
        return colon < 0 ? null : lastSegment[(colon + 1)..];
    }

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>
    /// The container's environment as the kubelet builds it: envFrom ConfigMaps (which must exist
    /// in the render) first, then env. Values from secrets or the downward API are null.
    /// </summary>
    internal static Dictionary<string, string?> Environment(Manifests manifests, V1Container container)
    {
        var result = new Dictionary<string, string?>();
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } reference)
            {
                var map = manifests.All<V1ConfigMap>().SingleOrDefault(m => m.Metadata.Name == reference.Name);
                Assert.True(map is not null || reference.Optional == true, $"{manifests.Overlay}: {container.Name} reads ConfigMap {reference.Name}, which is not in the render");
                foreach (var (key, value) in map?.Data ?? new Dictionary<string, string>()) result[(source.Prefix ?? "") + key] = value;
            }
            else
            {
                Assert.Fail($"{manifests.Overlay}: {container.Name} has an envFrom that is not a ConfigMap; teach this test to read it");
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom?.ConfigMapKeyRef is { } keyRef)
            {
                var map = manifests.All<V1ConfigMap>().SingleOrDefault(m => m.Metadata.Name == keyRef.Name);
                Assert.True(map?.Data?.ContainsKey(keyRef.Key) == true, $"{manifests.Overlay}: {container.Name} reads {keyRef.Name}/{keyRef.Key}, which is not in the render");
                result[variable.Name] = map!.Data[keyRef.Key];
            }
            else
            {
                result[variable.Name] = variable.Value;
            }
        }
        return result;
    }
}
