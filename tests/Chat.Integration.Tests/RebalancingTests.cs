using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// A silo added to a cluster whose threads are all active (and busy) on one silo takes some of them
/// with Orleans' activation rebalancer on (Chat:Cluster:ActivationRebalancing). Without it, the added
/// silo gets none of the busy threads (measured once, in docs/operations.md, "Scale"; not a test,
/// since nothing there could fail). The output is the timeline until the first move.
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class RebalancingTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const int Threads = 100;

    /// <summary>
    /// The rebalancer's first cycle comes Chat:Cluster:RebalancerDueTime (here 5 s, a minute by
    /// default) after a silo starts; then it moves threads each session cycle (15 s).
    /// </summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_silo_added_to_a_loaded_cluster_takes_thread_activations_with_the_rebalancer_on()
    {
        var settings = new Dictionary<string, string>
        {
            ["Chat__Cluster__ActivationRebalancing"] = "true",
            ["Chat__Cluster__RebalancerDueTime"] = "00:00:05",
            ["Chat__Limits__PostsPerSecondPerUser"] = "1000",
            ["Chat__Limits__PostBurstPerUser"] = "1000",
        };
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 1, webs: 1, settings);
        using var user = await ChatApiClient.SignedUpAsync(cluster.WebAddresses[0]);
        var threads = new List<string>();
        for (var i = 0; i < Threads; i++) threads.Add(await user.CreateThreadAsync($"thread {i}"));
        Assert.Equal(Threads, await ThreadActivationsAsync(cluster.Silos[0]));

        var added = await cluster.StartSiloAsync();
        cluster.Silos.Add(added);
        var clock = Stopwatch.StartNew();
        var timeline = new List<string>();
        var firstMovedAt = TimeSpan.Zero;
        // Keeps the threads busy (a post to one every 0.1 s), so that none is idle-collected and the
        // posts' latency during the moves is seen.
        var slowestPost = TimeSpan.Zero;
        for (var round = 0; clock.Elapsed < Deadline && firstMovedAt == TimeSpan.Zero; round++)
        {
            var sent = Stopwatch.StartNew();
            await user.PostCommentSeqAsync(threads[round % Threads], 0, $"keep-alive {round}");
            if (sent.Elapsed > slowestPost) slowestPost = sent.Elapsed;
            if (round % 20 == 0)
            {
                var (old, joined) = (await ThreadActivationsAsync(cluster.Silos[0]), await ThreadActivationsAsync(added));
                timeline.Add($"{clock.Elapsed.TotalSeconds:0}s {old}/{joined}");
                if (joined > 0 && firstMovedAt == TimeSpan.Zero) firstMovedAt = clock.Elapsed;
            }
            await Task.Delay(100);
        }
        output.WriteLine($"thread activations on the first/added silo after the second joined: {string.Join(", ", timeline)}; " +
            $"first on the added silo at {firstMovedAt.TotalSeconds:0} s; slowest post {slowestPost.TotalMilliseconds:0} ms");
        Assert.True(firstMovedAt > TimeSpan.Zero, $"the added silo got no thread activation within {Deadline.TotalSeconds:0} s");
    }

    private static async Task<long> ThreadActivationsAsync(HostProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        long sum = 0;
        foreach (var line in (await http.GetStringAsync("/metrics")).Split('\n'))
            if (line.StartsWith("orleans_catalog_activations{", StringComparison.Ordinal) && line.Contains("grain_type=\"thread\"", StringComparison.Ordinal))
                sum += (long)double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return sum;
    }
}
