using System.Net;

namespace Chat.Web.Tests;

/// <summary>The operator's endpoints: health probes and Prometheus metrics.</summary>
[Collection(WebCollection.Name)]
public sealed class HealthAndMetricsTests(WebFixture fixture)
{
    [Fact]
    public async Task Health_and_metrics_answer()
    {
        using var client = ChatApiClient.Anonymous(fixture.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/ready")).StatusCode);
        var metrics = await client.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE", metrics);
    }
}
