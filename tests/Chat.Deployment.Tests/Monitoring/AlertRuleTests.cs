using YamlDotNet.Serialization;

namespace Chat.Deployment.Tests.Monitoring;

/// <summary>The alert rules in k8s/monitoring, checked and unit-tested by promtool; and the metric-name extraction the scrape check relies on.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class AlertRuleTests
{
    [Fact]
    public async Task Promtool_accepts_the_rules()
    {
        var (exitCode, output) = await Tools.PromtoolAsync(MonitoringFiles.Directory, "check", "rules", MonitoringFiles.RulesFile);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"SUCCESS: {MonitoringFiles.AlertExpressions().Count} rules found", output);
    }

    [Fact]
    public async Task Promtool_rule_tests_pass()
    {
        var (exitCode, output) = await Tools.PromtoolAsync(MonitoringFiles.Directory, "test", "rules", MonitoringFiles.RuleTestsFile);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void Every_alert_has_a_rule_test_where_it_fires_and_one_where_it_stays_silent()
    {
        var tests = (Dictionary<object, object>)new Deserializer().Deserialize<object>(File.ReadAllText(Path.Combine(MonitoringFiles.Directory, MonitoringFiles.RuleTestsFile)));
        var cases = ((List<object>)tests["tests"]).Cast<Dictionary<object, object>>()
            .SelectMany(t => ((List<object>)t["alert_rule_test"]).Cast<Dictionary<object, object>>())
            .Select(c => (Alert: (string)c["alertname"], Fires: ((List<object>)c["exp_alerts"]).Count > 0))
            .ToList();
        foreach (var (alert, _) in MonitoringFiles.AlertExpressions())
        {
            Assert.True(cases.Contains((alert, true)), $"{alert}: no rule test where it fires");
            Assert.True(cases.Contains((alert, false)), $"{alert}: no rule test where it stays silent");
        }
    }

    [Theory]
    [InlineData("""sum by (reason) (rate(chat_post_failures_total{job="chat", reason=~"a|b"}[$__rate_interval]))""", "chat_post_failures_total")]
    [InlineData("""count by (namespace) (up{job="chat"} == 1) > max by (namespace) (chat_cluster_silos{status="active"})""", "up,chat_cluster_silos")]
    [InlineData("""histogram_quantile(0.99, sum by (namespace, le) (rate(x_bucket[5m]))) > 1000""", "x_bucket")]
    [InlineData("""a / on (pod) group_left b""", "a,b")]
    public void Metric_names_are_read_from_promql(string promql, string names) =>
        Assert.Equal(names.Split(',').Order(), MonitoringFiles.MetricNames(promql).Order());
}
