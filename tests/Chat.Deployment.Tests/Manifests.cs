using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using k8s;

namespace Chat.Deployment.Tests;

/// <summary>
/// An overlay of k8s/ rendered by `kubectl kustomize` (the same renderer `kubectl apply -k` uses)
/// and loaded with KubernetesClient's strict YAML, which fails on unknown fields.
/// </summary>
public sealed class Manifests
{
    public static readonly string[] Overlays = ["dev", "prod"];

    public static TheoryData<string> OverlayData() => [.. Overlays];

    // Rendering is a pure function of the files; memoized so that each check does not pay for it.
    private static readonly ConcurrentDictionary<string, Lazy<Manifests>> Cache = new();

    private Manifests(string overlay, string yaml, IReadOnlyList<object> objects)
    {
        Overlay = overlay;
        Yaml = yaml;
        Objects = objects;
    }

    public string Overlay { get; }
    public string Yaml { get; }
    public IReadOnlyList<object> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();
    public IEnumerable<V1Deployment> Deployments => All<V1Deployment>();
    public V1Deployment Deployment(string name) =>
        Deployments.SingleOrDefault(d => d.Metadata.Name == name) ?? throw new InvalidOperationException($"{Overlay}: no Deployment {name}");

    public static Manifests Of(string overlay) =>
        Cache.GetOrAdd(overlay, o => new Lazy<Manifests>(() => Load(o))).Value;

    public static string Render(string overlay)
    {
        var dir = Path.Combine(RepoPaths.Root, "k8s", "overlays", overlay);
        var start = new ProcessStartInfo("kubectl", ["kustomize", dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                "kubectl is not installed or not on PATH; these tests render k8s/ with 'kubectl kustomize' (kubectl 1.32 ships kustomize v5.5). " + ex.Message, ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {dir} did not finish in 60 s");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"kubectl kustomize {dir} failed ({process.ExitCode}):\n{stderr.Result}");
            return stdout.Result;
        }
    }

    private static Manifests Load(string overlay)
    {
        var yaml = Render(overlay);
        return new Manifests(overlay, yaml, KubernetesYaml.LoadAllFromString(yaml, strict: true));
    }
}
