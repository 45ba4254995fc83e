using System.Net;

namespace Chat.Deployment.Tests;

/// <summary>The paths the manifests probe and scrape answer 200 on the real hosts.</summary>
[Collection(RunningHostsCollection.Name)]
[Trait("Lane", Lanes.Processes)]
public sealed class ProbeTests(RunningHostsFixture hosts)
{
    public static TheoryData<string, string> OverlaysAndDeployments()
    {
        var data = new TheoryData<string, string>();
        foreach (var overlay in Manifests.Overlays)
            foreach (var deployment in new[] { AppSettings.Silo, AppSettings.Web })
                data.Add(overlay, deployment);
        return data;
    }

    [Theory]
    [MemberData(nameof(OverlaysAndDeployments))]
    public async Task Probe_and_scrape_paths_answer_200_on_the_running_host(string overlay, string deployment)
    {
        var pod = Manifests.Of(overlay).Deployment(deployment).Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        var paths = new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe }
            .Select(p => p?.HttpGet?.Path)
            .Append(pod.Metadata.Annotations["prometheus.io/path"])
            .ToList();
        Assert.DoesNotContain(null, paths);

        using var http = new HttpClient { BaseAddress = hosts.Host(deployment).BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var path in paths.Distinct())
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"{overlay}: {deployment} probes {path}, which answers {(int)response.StatusCode} {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Web_node_started_with_the_manifests_settings_serves_the_site_through_the_silo()
    {
        // Chat__Topology=Client from the manifests: the front page's data comes from the silo's grains.
        using var http = new HttpClient { BaseAddress = hosts.Web.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync("/api/threads?sort=new&limit=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, hosts.Web.SiloPort);
    }
}
