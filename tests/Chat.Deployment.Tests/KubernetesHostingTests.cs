using Chat.ServiceDefaults;
using Orleans.Hosting.Kubernetes;

namespace Chat.Deployment.Tests;

/// <summary>
/// Orleans' Kubernetes hosting in the silo pods: what the code reads (ChatConfiguration and the
/// package's own names) against what the manifests give it. A mismatch would not show until a pod
/// was deleted and its silo was not declared dead, or until the silo failed to start.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class KubernetesHostingTests
{
    private static V1Deployment Silo(Manifests manifests) => manifests.Deployment(AppSettings.Silo);

    /// <summary>The silo pod of an overlay: its labels, its container and the environment that container gets.</summary>
    private static (IDictionary<string, string> Labels, V1Container Container, Dictionary<string, string?> Environment) SiloPod(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var template = Silo(manifests).Spec.Template;
        var container = Assert.Single(template.Spec.Containers);
        return (template.Metadata.Labels, container, ManifestTests.Environment(manifests, container));
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Silos_turn_kubernetes_hosting_on_and_get_the_pod_metadata_it_reads(string overlay)
    {
        var (_, container, environment) = SiloPod(overlay);
        Assert.Equal("true", environment.GetValueOrDefault("Chat__Silo__KubernetesHosting"));

        var downwardApi = new Dictionary<string, string>
        {
            [KubernetesHostingOptions.PodNameEnvironmentVariable] = "metadata.name",
            [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "metadata.namespace",
            [KubernetesHostingOptions.PodIPEnvironmentVariable] = "status.podIP",
        };
        foreach (var variable in ChatConfiguration.KubernetesEnvironment)
        {
            // Kubernetes itself sets the API server's address in every pod.
            if (variable.StartsWith("KUBERNETES_SERVICE_", StringComparison.Ordinal)) continue;
            Assert.True(downwardApi.TryGetValue(variable, out var field), $"the code reads {variable}; teach this test where it comes from");
            Assert.Equal(field, container.Env.Single(e => e.Name == variable).ValueFrom?.FieldRef?.FieldPath);
        }
        // These would override Chat__Cluster__ClusterId/ServiceId behind the configuration's back.
        Assert.DoesNotContain(KubernetesHostingOptions.ClusterIdEnvironmentVariable, environment.Keys);
        Assert.DoesNotContain(KubernetesHostingOptions.ServiceIdEnvironmentVariable, environment.Keys);
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Silo_pods_are_labelled_with_the_cluster_ids_the_silos_use(string overlay)
    {
        var (labels, _, environment) = SiloPod(overlay);
        var defaults = new ChatClusterOptions();

        // The package watches pods by these labels: a pod without them is never matched to its silo.
        Assert.Equal(environment.GetValueOrDefault("Chat__Cluster__ServiceId") ?? defaults.ServiceId, labels[KubernetesHostingOptions.ServiceIdLabel]);
        Assert.Equal(environment.GetValueOrDefault("Chat__Cluster__ClusterId") ?? defaults.ClusterId, labels[KubernetesHostingOptions.ClusterIdLabel]);
    }

    [Theory]
    [MemberData(nameof(Manifests.OverlayData), MemberType = typeof(Manifests))]
    public void Only_silos_get_an_api_token_and_it_may_watch_and_label_pods_in_their_namespace(string overlay)
    {
        var manifests = Manifests.Of(overlay);
        var pod = Silo(manifests).Spec.Template.Spec;
        Assert.True(pod.AutomountServiceAccountToken, "the silo pods need their service account token to call the Kubernetes API");
        var account = Assert.Single(manifests.All<V1ServiceAccount>(), a => a.Metadata.Name == pod.ServiceAccountName);
        var web = manifests.Deployment(AppSettings.Web).Spec.Template.Spec;
        Assert.NotEqual(pod.ServiceAccountName, web.ServiceAccountName);
        Assert.False(web.AutomountServiceAccountToken, "web nodes never call the Kubernetes API");

        var binding = Assert.Single(manifests.All<V1RoleBinding>(), b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name));
        Assert.Equal(account.Metadata.NamespaceProperty, binding.Subjects.Single().NamespaceProperty);
        Assert.Equal("Role", binding.RoleRef.Kind);
        var role = Assert.Single(manifests.All<V1Role>(), r => r.Metadata.Name == binding.RoleRef.Name);
        Assert.Equal(binding.Metadata.NamespaceProperty, role.Metadata.NamespaceProperty);
        // What KubernetesClusterAgent calls: list and watch the cluster's pods, read and patch (labels) its own.
        var pods = Assert.Single(role.Rules, r => r.ApiGroups.SequenceEqual([""]) && r.Resources.Contains("pods"));
        Assert.Equal(["get", "list", "patch", "watch"], pods.Verbs.Order());
    }
}
