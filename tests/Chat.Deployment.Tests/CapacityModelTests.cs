namespace Chat.Deployment.Tests;

/// <summary>
/// The manifests agree with the capacity model in docs/operations.md ("Sizing pods: the capacity
/// model"): a web pod's connection limit fits its memory limit, and the autoscaler adds web pods
/// before the limit turns connections away.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class CapacityModelTests
{
    /// <summary>
    /// Measured (docs/performance.md, "Memory per idle connection"): a web node's RSS is about 350 MB
    /// plus 26 KB per connection from 4,000 connections on (the line through 450-470 MB at 4,000 and
    /// 740-750 MB at 16,000).
    /// </summary>
    private const double WebBaseBytes = 350 * 1024 * 1024, BytesPerConnection = 26 * 1024;

    /// <summary>What the model leaves of a pod's memory limit for bursts: send buffers of busy connections, GC.</summary>
    private const double Headroom = 0.3;

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void A_web_pods_connection_limit_fits_its_memory_limit_with_headroom(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var web = manifests.Deployment("chat-web").Spec.Template.Spec.Containers.Single();
        var limit = ConnectionLimit(manifests, web);
        if (web.Resources?.Limits?.TryGetValue("memory", out var memory) != true)
        {
            Assert.Null(limit); // a limit on connections without one on memory would be a guess
            return;
        }
        Assert.NotNull(limit);
        var needed = WebBaseBytes + BytesPerConnection * limit!.Value;
        Assert.True(needed <= memory!.ToDouble() * (1 - Headroom),
            $"{overlay}: {limit} connections need about {needed / 1048576:0} MB by the model, more than {1 - Headroom:P0} of the pod's {memory} limit");
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void The_web_autoscaler_adds_pods_before_the_connection_limit_turns_readers_away(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var web = manifests.Deployment("chat-web").Spec.Template.Spec.Containers.Single();
        var hpa = manifests.All<V2HorizontalPodAutoscaler>().Single(h => h.Spec.ScaleTargetRef.Name == "chat-web");
        var connections = hpa.Spec.Metrics.Where(m => m.Pods?.Metric.Name == "chat_signalr_connections").ToList();
        if (ConnectionLimit(manifests, web) is not int limit)
        {
            Assert.Empty(connections); // nothing to stay under
            return;
        }
        var target = Assert.Single(connections).Pods.Target;
        Assert.Equal("AverageValue", target.Type);
        Assert.InRange(target.AverageValue.ToDouble(), 1, limit * 0.8);
        // And on CPU, for fan-out, whichever asks for more.
        Assert.Contains(hpa.Spec.Metrics, m => m.Resource?.Name == "cpu");
    }

    private static int? ConnectionLimit(Manifests manifests, V1Container web) =>
        ManifestTests.Environment(manifests, web).GetValueOrDefault("Chat__Limits__ConnectionsPerNode") is { } value && int.Parse(value) > 0 ? int.Parse(value) : null;
}
