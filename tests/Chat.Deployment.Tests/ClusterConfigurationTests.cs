using Chat.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chat.Deployment.Tests;

/// <summary>Both hosts' shared keys: a bad value stops the host at start, naming the key and the fix.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class ClusterConfigurationTests
{
    /// <summary>Chat:Cluster as both hosts register it: bound, and validated when first read (and at start).</summary>
    private static ChatClusterOptions Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        using var services = new ServiceCollection().AddChatClusterOptions(configuration).Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<ChatClusterOptions>>().Value;
    }

    [Fact]
    public void Grain_calls_wait_5_s_for_an_answer_unless_configured_otherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Read().ResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(12), Read(("Chat:Cluster:ResponseTimeout", "00:00:12")).ResponseTimeout);
    }

    [Fact]
    public void Posts_are_retried_for_15_s_and_web_nodes_reread_gateways_every_2_s_unless_configured_otherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), Read().PostRetryBudget);
        Assert.Equal(TimeSpan.Zero, Read(("Chat:Cluster:PostRetryBudget", "00:00:00")).PostRetryBudget);
        Assert.Equal(TimeSpan.FromSeconds(2), Read().GatewayListRefreshPeriod);
        Assert.Equal(TimeSpan.FromSeconds(30), Read(("Chat:Cluster:GatewayListRefreshPeriod", "00:00:30")).GatewayListRefreshPeriod);
    }

    [Theory]
    [InlineData("Chat:Cluster:PostRetryBudget", "-00:00:01", "00:00:00 (no retries) to 00:01:00")]
    [InlineData("Chat:Cluster:PostRetryBudget", "00:02:00", "00:00:00 (no retries) to 00:01:00")]
    [InlineData("Chat:Cluster:GatewayListRefreshPeriod", "00:00:00.5", "00:00:01 to 00:05:00")]
    [InlineData("Chat:Cluster:ResponseTimeout", "00:00:00", "00:00:01 to 00:01:00")]
    [InlineData("Chat:Cluster:ResponseTimeout", "00:05:00", "00:00:01 to 00:01:00")]
    [InlineData("Chat:Cluster:ClusterId", " ", "set it to the cluster's name")]
    [InlineData("Chat:Cluster:ServiceId", "", "set it to a stable name")]
    public void A_bad_value_is_refused_with_the_key_and_what_to_set(string key, string value, string fix)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read((key, value)));
        Assert.Contains(key, error.Message);
        Assert.Contains(fix, error.Message);
    }

    private static readonly Dictionary<string, string> PodEnvironment = new()
    {
        ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1",
        ["KUBERNETES_SERVICE_PORT"] = "443",
        ["POD_NAME"] = "chat-silo-0",
        ["POD_NAMESPACE"] = "chat",
        ["POD_IP"] = "10.1.2.3",
    };

    [Fact]
    public void Kubernetes_hosting_is_off_unless_asked_for_so_local_runs_need_no_kubernetes_api()
    {
        Assert.False(ChatConfiguration.UseKubernetesHosting(new SiloEndpointOptions(), _ => null));
        Assert.False(ChatConfiguration.UseKubernetesHosting(new SiloEndpointOptions(), PodEnvironment.GetValueOrDefault));
        Assert.True(ChatConfiguration.UseKubernetesHosting(new SiloEndpointOptions { KubernetesHosting = true }, PodEnvironment.GetValueOrDefault));
    }

    [Theory]
    [InlineData("POD_NAMESPACE")]
    [InlineData("KUBERNETES_SERVICE_HOST")]
    public void Kubernetes_hosting_outside_a_pod_is_refused_naming_the_key_and_what_is_missing(string missing)
    {
        var environment = new Dictionary<string, string>(PodEnvironment);
        environment.Remove(missing);
        var error = Assert.Throws<InvalidOperationException>(() =>
            ChatConfiguration.UseKubernetesHosting(new SiloEndpointOptions { KubernetesHosting = true }, environment.GetValueOrDefault));
        Assert.Contains("Chat:Silo:KubernetesHosting", error.Message);
        Assert.Contains(missing, error.Message);
    }
}
