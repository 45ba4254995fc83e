using Xunit.Abstractions;

namespace Chat.Deployment.Tests.Monitoring;

/// <summary>
/// What an operator's Prometheus sees of a running cluster after some load: the targets the shipped
/// scrape job finds, the series the alerts and the dashboard need, with values that match the load.
/// </summary>
[Trait("Lane", Lanes.Processes)]
public sealed class MonitoringTests(MonitoredClusterFixture cluster, ITestOutputHelper output) : IClassFixture<MonitoredClusterFixture>
{
    private PrometheusServer Prometheus => cluster.Prometheus;

    [Fact]
    public async Task Shipped_scrape_job_finds_each_pod_once_at_its_annotated_port_and_path_labelled_for_the_alerts()
    {
        var targets = (await Prometheus.GetDataAsync("/api/v1/targets?state=active")).GetProperty("activeTargets").EnumerateArray().ToList();
        // Pod discovery gives one target per container port (a silo has three); relabelling makes them one.
        Assert.Equal(cluster.Pods.Count, targets.Count);
        foreach (var (pod, component, host) in cluster.Pods)
        {
            var target = Assert.Single(targets, t => t.GetProperty("labels").GetProperty("pod").GetString() == pod);
            var labels = target.GetProperty("labels");
            Assert.Equal("chat", labels.GetProperty("job").GetString());
            Assert.Equal("chat", labels.GetProperty("namespace").GetString());
            Assert.Equal(component, labels.GetProperty("component").GetString());
            Assert.Equal(new Uri(host.BaseAddress, "/metrics").ToString(), target.GetProperty("scrapeUrl").GetString());
            Assert.True(target.GetProperty("health").GetString() == "up", $"{pod}: {MonitoringFiles.Describe(target)}");
        }
    }

    [Fact]
    public async Task Series_operators_watch_have_values_that_match_the_load()
    {
        // Posts: every comment acknowledged once, by the silos and as seen by posters (the ack latency histogram).
        Assert.Equal(MonitoredClusterFixture.PostCount, await Sum("chat_comments_acknowledged_total"));
        Assert.Equal(MonitoredClusterFixture.PostCount, await Sum("chat_post_ack_latency_milliseconds_count"));
        var p99 = await Prometheus.ScalarAsync("""histogram_quantile(0.99, sum by (le) (chat_post_ack_latency_milliseconds_bucket{job="chat"}))""");
        Assert.InRange(p99!.Value, 0.001, 10_000);
        Assert.Equal(0, await Sum("chat_post_failures_total"));
        Assert.Equal(8, (await Prometheus.QueryAsync("""chat_post_failures_total{job="chat"}""")).Count); // every reason, at 0

        // Group commit: at least one flush, never more flushes than comments, each under a second.
        var flushes = await Sum("chat_flushes_total");
        Assert.InRange(flushes, 1, MonitoredClusterFixture.PostCount);
        Assert.Equal(flushes, await Sum("chat_flush_duration_milliseconds_count"));
        Assert.Equal(MonitoredClusterFixture.PostCount, await Sum("chat_flush_batch_size_sum"));
        Assert.InRange((await Prometheus.ScalarAsync("""histogram_quantile(0.99, sum by (le) (chat_flush_duration_milliseconds_bucket{job="chat"}))"""))!.Value, 0.001, 1000);

        // Fan-out: each push went to every reader (all joined before the first post).
        var pushes = await Sum("chat_signalr_messages_total");
        Assert.InRange(pushes, 1, MonitoredClusterFixture.PostCount);
        Assert.Equal(pushes * MonitoredClusterFixture.ReaderCount, await Sum("chat_signalr_deliveries_total"));
        Assert.True(await Sum("chat_observer_notifications_total") >= 1);

        // Connections: the readers, on the one web node, under its limit from the prod overlay.
        Assert.Equal(MonitoredClusterFixture.ReaderCount, await Sum("chat_signalr_connections"));
        Assert.Equal(10_000, await Sum("chat_signalr_connection_limit"));

        // Grains: the one thread, activated once in the cluster, and its poster.
        Assert.Equal(1, await Sum("orleans_grains", """grain_type="thread","""));
        Assert.True(await Sum("orleans_grains", """grain_type="user",""") >= 1);
        Assert.True(await Sum("orleans_catalog_activations") > await Sum("orleans_grains"), "activations count the grains and Orleans' system targets");

        // Membership: every silo sees all silos active and none dead; the web node is connected to both gateways.
        var active = await Prometheus.QueryAsync("""chat_cluster_silos{job="chat", status="active"}""");
        Assert.Equal(MonitoredClusterFixture.SiloCount, active.Count);
        Assert.All(active, s => Assert.Equal(MonitoredClusterFixture.SiloCount, s.Value));
        Assert.Equal(0, await Sum("chat_cluster_silos", """status="dead","""));
        Assert.Equal(MonitoredClusterFixture.SiloCount, await Sum("orleans_client_connected_gateways", """component="web","""));

        // Storage errors: present (both stores on each silo) and 0.
        var storageErrors = await Prometheus.QueryAsync("""chat_storage_errors_total{job="chat"}""");
        Assert.Equal(["comment_log", "grain_state"], storageErrors.Select(s => s.Labels["store"]).Distinct().Order());
        Assert.Equal(2 * MonitoredClusterFixture.SiloCount, storageErrors.Count);
        Assert.All(storageErrors, s => Assert.Equal(0, s.Value));

        // Every host says which version it runs.
        Assert.Equal(cluster.Pods.Count, await Sum("chat_build_info"));

        output.WriteLine($"after {MonitoredClusterFixture.PostCount} posts to {MonitoredClusterFixture.ReaderCount} readers: ack p99 {p99:0.#} ms, " +
            $"{flushes} flushes (p99 {await Prometheus.ScalarAsync("""histogram_quantile(0.99, sum by (le) (chat_flush_duration_milliseconds_bucket{job="chat"}))"""):0.#} ms), " +
            $"{pushes} pushes, {await Sum("chat_signalr_deliveries_total")} deliveries, {await Sum("chat_observer_notifications_total")} grain-to-node batches, " +
            $"{await Sum("orleans_catalog_activations")} activations ({await Sum("orleans_grains")} grains)");
    }

    [Fact]
    public async Task Every_alert_rule_evaluates_without_error_and_none_fires_on_a_healthy_cluster()
    {
        var alerts = MonitoringFiles.AlertExpressions().Select(a => a.Alert).ToList();
        await Eventually.True(async () =>
        {
            var rules = (await Prometheus.GetDataAsync("/api/v1/rules")).GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            var bad = rules.Where(r => r.GetProperty("health").GetString() == "err").ToList();
            Assert.True(bad.Count == 0, $"rules that fail to evaluate: {string.Join("; ", bad.Select(MonitoringFiles.Describe))}");
            Assert.Equal(alerts.Order(), rules.Select(r => r.GetProperty("name").GetString()!).Order());
            return rules.All(r => r.GetProperty("health").GetString() == "ok");
        }, TimeSpan.FromSeconds(15), "every alert rule evaluated once");

        var active = (await Prometheus.GetDataAsync("/api/v1/alerts")).GetProperty("alerts").EnumerateArray().ToList();
        Assert.True(active.Count == 0, $"alerts pending or firing on a healthy cluster: {string.Join("; ", active.Select(MonitoringFiles.Describe))}");
    }

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alerts_read_is_in_the_scrape()
    {
        var scraped = await Prometheus.MetricNamesAsync();
        var used = MonitoringFiles.DashboardExpressions().Select(d => (Where: $"dashboard panel '{d.Panel}'", d.Expr))
            .Concat(MonitoringFiles.AlertExpressions().Select(a => (Where: $"alert {a.Alert}", a.Expr)))
            .SelectMany(q => MonitoringFiles.MetricNames(q.Expr).Select(name => (q.Where, Name: name)))
            .ToList();
        Assert.True(used.Count > 20, $"only {used.Count} metric references found: is the name extraction broken?");
        var missing = used.Where(u => !scraped.Contains(u.Name)).Select(u => $"{u.Where}: {u.Name}").ToList();
        Assert.True(missing.Count == 0, "not in any scrape of the running hosts:\n" + string.Join("\n", missing));
    }

    private async Task<double> Sum(string metric, string extraMatchers = "") =>
        await Prometheus.ScalarAsync($$"""sum({{metric}}{{{extraMatchers}}job="chat"})""") ?? throw new Xunit.Sdk.XunitException($"no series {metric} in Prometheus");
}
