using System.Text.Json;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>
/// CI smoke runs of the load tool against the product started in-process: tiny numbers, no timing
/// assertions; they check that the tool runs end to end and that nothing was lost, repeated or
/// reordered. One product for the class (each run makes its own thread and users, and writes to a
/// folder of its own).
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class LoadSmokeTests(LoadSmokeTests.Product product) : IClassFixture<LoadSmokeTests.Product>
{
    /// <summary>Azurite and the product, started once for the class instead of once per test.</summary>
    public sealed class Product : IAsyncLifetime
    {
        private AzuriteServer _azurite = null!;
        public InProcessWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _azurite = await AzuriteServer.StartAsync();
            Host = await InProcessWebHost.StartAsync(_azurite.ConnectionString);
        }

        public async Task DisposeAsync()
        {
            if (Host is not null) await Host.DisposeAsync();
            if (_azurite is not null) await _azurite.DisposeAsync();
        }
    }

    private readonly InProcessWebHost _host = product.Host;
    private readonly string _out = Path.Combine(RepoPaths.Artifacts, "load-smoke-" + Guid.NewGuid().ToString("N")[..8]);

    private string Url => _host.BaseAddress.ToString().TrimEnd('/');

    [Theory]
    [InlineData("dotnet")]
    [InlineData("lean")]
    [InlineData("lean-messagepack")]
    public async Task Hot_thread_against_the_product_loses_repeats_and_reorders_nothing_and_writes_json(string reader)
    {
        var rc = await LoadTool.RunAsync(["hot-thread", "--url", Url, "--readers", "20", "--posters", "2", "--rate", "20", "--duration", "5s", "--warmup", "2s", "--reader", reader, "--out", _out, "--no-live"]);

        var json = Directory.GetFiles(_out, "hot-thread-*.json").Single();
        var result = JsonDocument.Parse(File.ReadAllText(json)).RootElement[0];
        Assert.Equal(0, result.GetProperty("lost").GetInt64());
        Assert.Equal(0, result.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, result.GetProperty("outOfOrder").GetInt64());
        Assert.Equal(0, result.GetProperty("missing").GetInt64());
        Assert.True(result.GetProperty("acks").GetInt64() > 0, "no post was acknowledged");
        Assert.Equal(result.GetProperty("expected").GetInt64(), result.GetProperty("deliveries").GetInt64());
        // Latency covers the measured 5 s only, not the 2 s warm-up; correctness covers everything.
        Assert.Equal(2, result.GetProperty("warmupSeconds").GetDouble());
        Assert.InRange(result.GetProperty("latency").GetProperty("count").GetInt64(), 1, result.GetProperty("deliveries").GetInt64() - 1);
        // The generator's CPU per delivery is reported beside the deliveries it was spent on.
        Assert.True(result.GetProperty("generatorMicrosPerDelivery").GetDouble() > 0);
        Assert.Equal(reader, result.GetProperty("settings").GetProperty("reader").GetString());
        Assert.Equal(0, rc);
    }

    [Fact]
    public async Task Connections_holds_every_connection_and_the_hot_threads_readers_get_everything_once_in_order()
    {
        var rc = await LoadTool.RunAsync(["connections", "--url", Url, "--connections", "600", "--readers", "60", "--rate", "10", "--duration", "3s", "--out", _out, "--no-live"]);

        var result = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(_out, "connections-*.json").Single())).RootElement;
        Assert.Equal(600, result.GetProperty("connected").GetInt64());
        Assert.Equal(0, result.GetProperty("connectionErrors").GetInt64());
        Assert.True(result.GetProperty("acks").GetInt64() > 0, "no post was acknowledged");
        Assert.Equal(result.GetProperty("expected").GetInt64(), result.GetProperty("deliveries").GetInt64());
        foreach (var bad in new[] { "lost", "missing", "duplicated", "outOfOrder" }) Assert.Equal(0, result.GetProperty(bad).GetInt64());
        Assert.True(result.GetProperty("latency").GetProperty("p99").GetDouble() > 0);
        Assert.Equal(0, rc);
    }

    [Fact]
    public async Task Compare_produces_the_baseline_the_redis_baseline_and_the_product()
    {
        Assert.True(File.Exists("/usr/bin/redis-server") || File.Exists("/usr/local/bin/redis-server"),
            "redis-server is not installed: the Redis baseline needs Debian's package (apt-get install -y redis-server); test.sh should install it.");

        var rc = await LoadTool.RunAsync(["compare", "--url", Url, "--readers", "10", "--posters", "2", "--rate", "10", "--duration", "3s", "--warmup", "0", "--drain", "10s", "--out", _out, "--no-live"]);

        var json = Directory.GetFiles(_out, "compare-hot-thread-*.json").Single();
        var rows = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().ToArray();
        Assert.Equal(new[] { "baseline", "baseline+redis", "product" }, rows.Select(r => r.GetProperty("target").GetString()!));
        // Every row says what the generator took; the servers' share where compare started them (the
        // baselines), and none for a product it was only given the URL of.
        Assert.All(rows, r => Assert.Equal(JsonValueKind.Number, r.GetProperty("cpu").GetProperty("generatorCores").ValueKind));
        Assert.All(rows[..2], r => Assert.Equal(JsonValueKind.Number, r.GetProperty("cpu").GetProperty("serverCores").ValueKind));
        Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("cpu").GetProperty("serverCores").ValueKind);
        Assert.Single(Directory.GetFiles(_out, "compare-ratios-*.json"));
        Assert.Equal(0, rc);
    }

    [Fact]
    public async Task Compare_ramp_steps_plain_SignalR_and_the_product_up_and_reports_both_limits()
    {
        var rc = await LoadTool.RunAsync(["compare", "--scenario", "ramp", "--url", Url, "--targets", "baseline,product", "--readers", "10", "--posters", "2",
            "--start-rate", "10", "--step", "10", "--max-rate", "20", "--step-duration", "3s", "--p99-limit", "5000", "--warmup", "2s", "--drain", "10s", "--out", _out, "--no-live"]);

        var report = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(_out, "ramp-compare-*.json").Single())).RootElement;
        var results = report.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(new[] { "baseline", "product" }, results.Select(r => r.GetProperty("target").GetString()!));
        foreach (var r in results)
        {
            // Both steps kept up (10 readers): the highest rate within the limit is the last one asked.
            Assert.Equal(new[] { 10.0, 20.0 }, r.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("rate").GetDouble()));
            Assert.Equal(20, r.GetProperty("highestRateWithinLimit").GetDouble());
            Assert.True(r.GetProperty("saturationDeliveriesPerSec").GetDouble() > 0);
            Assert.All(r.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("p99Ms").GetDouble() > 0));
        }
        Assert.Equal(1.0, report.GetProperty("rateRatio").GetDouble());
        Assert.Single(Directory.GetFiles(_out, "ramp-compare-*.png"));
        // Nothing lost, repeated or reordered on either target, over all the steps.
        var runs = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(_out, "compare-ramp-*.json").Single())).RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, runs.Length);
        foreach (var run in runs)
        {
            foreach (var bad in new[] { "lost", "missing", "duplicated", "outOfOrder" }) Assert.Equal(0, run.GetProperty(bad).GetInt64());
            Assert.Equal(run.GetProperty("expected").GetInt64(), run.GetProperty("deliveries").GetInt64());
        }
        Assert.Equal(0, rc);
    }
}
