using System.Text;
using System.Text.RegularExpressions;

namespace Chat.Deployment.Tests.Containers;

/// <summary>
/// One pod of a rendered Deployment, run the way a kubelet would run it, as a docker container on
/// the host's network: the container's environment (ConfigMaps, Secrets, the downward API and
/// $(VAR) references resolved), command and args, user, security context and volumes, all taken
/// from the render. What only a cluster has is mapped: the pod IP and every Service name are
/// 127.0.0.1, and each container port gets a free host port of its own (pods share the host's
/// network here), rewritten wherever the pod's settings name it.
/// </summary>
public sealed partial class PodContainer
{
    public const string PodIp = "127.0.0.1";

    private PodContainer(string name, V1Deployment deployment, Dictionary<int, int> ports)
    {
        Name = name;
        Deployment = deployment;
        HostPorts = ports;
    }

    /// <summary>The pod's (and the container's) name, e.g. chat-silo-0.</summary>
    public string Name { get; }
    public V1Deployment Deployment { get; }
    public V1PodSpec Spec => Deployment.Spec.Template.Spec;
    public V1Container Container => Spec.Containers.Single();

    /// <summary>Container port → the host port it listens on here.</summary>
    public IReadOnlyDictionary<int, int> HostPorts { get; }

    public int HostPort(string port) => HostPorts[ContainerPort(port)];

    public int ContainerPort(IntOrString port) => ContainerPort(port.Value);

    /// <summary>A port as a probe or Service names it: its number or the container port's name.</summary>
    public int ContainerPort(string port) =>
        int.TryParse(port, out var number) ? number
        : Container.Ports.SingleOrDefault(p => p.Name == port)?.ContainerPort
          ?? throw new InvalidOperationException($"{Name}: no container port named {port}");

    public Uri Http => new($"http://{PodIp}:{HostPort("http")}/");

    public int GracePeriodSeconds => (int)(Spec.TerminationGracePeriodSeconds ?? 30);

    public static PodContainer Create(V1Deployment deployment, int index) =>
        new($"{deployment.Metadata.Name}-{index}", deployment,
            deployment.Spec.Template.Spec.Containers.Single().Ports.ToDictionary(p => p.ContainerPort, _ => FreePort.Next()));

    /// <summary>The arguments of `docker run` for this pod.</summary>
    /// <param name="services">Every pod the render's Services select, to map "service:port" to the pod's host port.</param>
    /// <param name="imageEnvironment">The image's own ENV, to move a port it sets (ASPNETCORE_HTTP_PORTS=8080).</param>
    /// <param name="volumeRoot">Where PersistentVolumeClaims get a folder of their own.</param>
    public List<string> RunArguments(Manifests manifests, IReadOnlyList<PodContainer> services, IReadOnlyDictionary<string, string> imageEnvironment, string volumeRoot)
    {
        var container = Container;
        var args = new List<string> { "run", "-d", "--name", Name, "--network", "host" };
        foreach (var service in manifests.All<V1Service>())
            args.AddRange(["--add-host", $"{service.Metadata.Name}:{PodIp}"]);

        foreach (var (name, value) in Environment(manifests, services))
            args.AddRange(["-e", $"{name}={value}"]);
        foreach (var (name, value) in imageEnvironment)
            if (int.TryParse(value, out var port) && HostPorts.TryGetValue(port, out var hostPort))
                args.AddRange(["-e", $"{name}={hostPort}"]);

        // Security context: the container's over the pod's, as the kubelet merges them.
        var pod = Spec.SecurityContext;
        var own = container.SecurityContext;
        var user = own?.RunAsUser ?? pod?.RunAsUser;
        var group = own?.RunAsGroup ?? pod?.RunAsGroup;
        if (user is not null) args.AddRange(["--user", group is null ? $"{user}" : $"{user}:{group}"]);
        if (pod?.FsGroup is { } fsGroup) args.AddRange(["--group-add", $"{fsGroup}"]);
        if (own?.ReadOnlyRootFilesystem == true) args.Add("--read-only");
        if (own?.AllowPrivilegeEscalation == false) args.AddRange(["--security-opt", "no-new-privileges"]);
        foreach (var capability in own?.Capabilities?.Drop ?? []) args.AddRange(["--cap-drop", capability]);
        foreach (var capability in own?.Capabilities?.Add ?? []) args.AddRange(["--cap-add", capability]);
        // seccompProfile RuntimeDefault is docker's default profile.

        foreach (var mount in container.VolumeMounts ?? [])
        {
            var volume = Spec.Volumes.Single(v => v.Name == mount.Name);
            if (volume.EmptyDir is { } emptyDir)
                args.AddRange(["--tmpfs", emptyDir.SizeLimit is { } limit ? $"{mount.MountPath}:size={limit.ToInt64()}" : mount.MountPath]);
            else if (volume.PersistentVolumeClaim is { } claim)
                args.AddRange(["-v", $"{ClaimFolder(volumeRoot, claim.ClaimName, pod?.FsGroup)}:{mount.MountPath}"]);
            else
                throw new NotSupportedException($"{Name}: volume {volume.Name} is neither an emptyDir nor a PVC; teach PodContainer to mount it");
        }

        var command = container.Command ?? [];
        if (command.Count > 0) args.AddRange(["--entrypoint", command[0]]);
        args.Add(container.Image);
        args.AddRange(command.Skip(1).Concat(container.Args ?? []).Select(a => int.TryParse(a, out var p) && HostPorts.TryGetValue(p, out var h) ? $"{h}" : a));
        return args;
    }

    private const string KubernetesHostingKey = "Chat__Silo__KubernetesHosting";

    /// <summary>The container's environment as the kubelet gives it: envFrom first, then env in order, $(VAR) expanded.</summary>
    public Dictionary<string, string> Environment(Manifests manifests, IReadOnlyList<PodContainer> services)
    {
        var result = new Dictionary<string, string>();
        foreach (var source in Container.EnvFrom ?? [])
        {
            var map = manifests.All<V1ConfigMap>().Single(m => m.Metadata.Name == source.ConfigMapRef.Name);
            foreach (var (key, value) in map.Data) result[(source.Prefix ?? "") + key] = value;
        }
        foreach (var variable in Container.Env ?? [])
        {
            var value = variable.ValueFrom switch
            {
                null => Expand(variable.Value ?? "", result),
                { SecretKeyRef: { } secret } => SecretValue(manifests, secret.Name, secret.Key),
                { ConfigMapKeyRef: { } key } => manifests.All<V1ConfigMap>().Single(m => m.Metadata.Name == key.Name).Data[key.Key],
                { FieldRef.FieldPath: "metadata.name" } => Name,
                { FieldRef.FieldPath: "metadata.namespace" } => Deployment.Metadata.NamespaceProperty ?? "default",
                { FieldRef.FieldPath: "status.podIP" } => PodIp,
                _ => throw new NotSupportedException($"{Name}: env {variable.Name} has a valueFrom PodContainer does not know; teach it"),
            };
            result[variable.Name] = value;
        }
        // No Kubernetes API server runs here (the kubelet would also set KUBERNETES_SERVICE_HOST/PORT):
        // Orleans' Kubernetes hosting, which watches the pods through that API, is switched off, and the
        // silos find each other through the membership table, as they also do in Kubernetes.
        if (result.ContainsKey(KubernetesHostingKey)) result[KubernetesHostingKey] = "false";
        foreach (var name in result.Keys.ToList())
        {
            var value = result[name];
            if (int.TryParse(value, out var port) && HostPorts.TryGetValue(port, out var hostPort)) value = $"{hostPort}";
            result[name] = MapServicePorts(manifests, services, value);
        }
        return result;
    }

    /// <summary>"azurite:10002" → "azurite:&lt;the host port of the pod behind the Service&gt;".</summary>
    private static string MapServicePorts(Manifests manifests, IReadOnlyList<PodContainer> pods, string value)
    {
        foreach (var service in manifests.All<V1Service>())
            foreach (var port in service.Spec.Ports)
            {
                var needle = $"{service.Metadata.Name}:{port.Port}";
                if (!value.Contains(needle, StringComparison.Ordinal)) continue;
                var target = pods.FirstOrDefault(p => service.Spec.Selector.All(s => p.Deployment.Spec.Template.Metadata.Labels.TryGetValue(s.Key, out var v) && v == s.Value))
                    ?? throw new InvalidOperationException($"'{value}' names Service {service.Metadata.Name}, which selects none of the pods started");
                value = value.Replace(needle, $"{service.Metadata.Name}:{target.HostPorts[target.ContainerPort(port.TargetPort?.Value ?? $"{port.Port}")]}", StringComparison.Ordinal);
            }
        return value;
    }

    /// <summary>A setting as the test process must use it, outside the pods: "//service:port" → "//127.0.0.1:port".</summary>
    public static string FromOutside(Manifests manifests, string value) =>
        manifests.All<V1Service>().Aggregate(value, (v, s) => v.Replace($"//{s.Metadata.Name}:", $"//{PodIp}:", StringComparison.Ordinal));

    private static string SecretValue(Manifests manifests, string name, string key)
    {
        var secret = manifests.All<V1Secret>().Single(s => s.Metadata.Name == name);
        if (secret.StringData?.TryGetValue(key, out var text) == true) return text;
        return Encoding.UTF8.GetString(secret.Data[key]);
    }

    private static string Expand(string value, Dictionary<string, string> defined) =>
        VariableReference().Replace(value, m => defined.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>A PVC's folder: owned by the pod's fsGroup and group-writable, as the kubelet makes it.</summary>
    private string ClaimFolder(string volumeRoot, string claim, long? fsGroup)
    {
        var folder = Directory.CreateDirectory(Path.Combine(volumeRoot, claim)).FullName;
        if (fsGroup is { } gid)
        {
            using var chgrp = System.Diagnostics.Process.Start("sh", ["-c", "chgrp \"$1\" \"$2\" && chmod 2770 \"$2\"", "sh", $"{gid}", folder])!;
            chgrp.WaitForExit();
            if (chgrp.ExitCode != 0) throw new InvalidOperationException($"chgrp {gid} / chmod 2770 {folder} failed");
        }
        return folder;
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();
}
