using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// A web node stopped under posting (SIGTERM: a scale-in, a rolling update) drains: it tells its
/// clients to reconnect, answers the posts they have in flight, and lets them go before SignalR
/// closes anything. No post is cut, so no poster needs a retry, and every reader, moved or not,
/// has every acknowledged comment once, in order.
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class WebNodeDrainTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10); // the production default
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_web_node_stopped_under_posting_answers_every_post_in_flight_before_its_clients_move()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 1, webs: 2,
            new Dictionary<string, string> { ["Chat__Web__DrainTimeout"] = DrainTimeout.ToString() });
        var (stopping, staying) = (cluster.WebAddresses[0], cluster.WebAddresses[1]);
        using var author = await ChatApiClient.SignedUpAsync(staying);
        var threadId = await author.CreateThreadAsync("Scale-in under posting");
        // Readers on both nodes; those on the stopping node move to the other one.
        var readers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            ThreadReader.ConnectAsync(i % 2 == 0 ? [stopping, staying] : [staying, stopping], threadId)));
        // Posters on the node that stops, each with posts in flight all the time.
        var connections = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var user = await ChatApiClient.SignedUpAsync(stopping);
            return await ThreadReader.ConnectAsync([stopping, staying], threadId, user.Token);
        }));
        var posters = connections.Select((c, i) => new Poster(c, $"p{i}")).ToArray();

        using var stopPosting = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var posting = Task.WhenAll(posters.Select(p => p.PostAsync(100_000, 4, clock, Deadline, TimeSpan.FromMilliseconds(10), stopPosting.Token)));
        await Eventually.True(() => posters.Sum(p => p.Acknowledged.Count) >= 200, Deadline, "200 posts acknowledged before the stop");

        var inFlight = posters.Sum(p => p.Started - p.Acknowledged.Count);
        var stoppedAt = clock.Elapsed;
        var exitCode = await cluster.Webs[0].StopGracefullyAsync();
        var took = clock.Elapsed - stoppedAt;
        var acknowledgedAtStop = posters.Sum(p => p.Acknowledged.Count);
        // Posting goes on, on the other node, for a while after the stop.
        await Eventually.True(() => posters.Sum(p => p.Acknowledged.Count) >= acknowledgedAtStop + 100, Deadline, "100 more posts acknowledged after the stop");
        await stopPosting.CancelAsync();
        await posting;

        var drained = Regex.Match(cluster.Webs[0].Log, @"Drained in .*").Value;
        output.WriteLine($"SIGTERM with ~{inFlight} posts in flight; exited with {exitCode} after {took.TotalSeconds:0.00} s ({drained}); " +
            $"{posters.Sum(p => p.Acknowledged.Count)} posts acknowledged, {posters.Sum(p => p.Failures)} failed attempts, slowest post {posters.Max(p => p.SlowestPost).TotalSeconds:0.00} s");
        Assert.Equal(0, exitCode);
        Assert.True(took < DrainTimeout, $"the node took {took.TotalSeconds:0.0} s to stop: its clients did not all leave within the drain");
        Assert.All(posters, p => Assert.True(p.Failures == 0, $"a poster needed a retry: {p.LastFailure}"));
        Assert.All(posters, p => Assert.Equal(p.Started, p.Acknowledged.Count));
        Assert.All(connections, c => Assert.Equal((1, staying), (c.Failovers, c.Node)));

        var last = posters.Sum(p => p.Acknowledged.Count); // each post stored once: seqs 1..last
        Assert.Equal(last, posters.SelectMany(p => p.Acknowledged.Keys).Max());
        await Eventually.True(() => readers.All(r => r.LastSeq == last), Deadline, "every reader has every acknowledged comment");
        Assert.All(readers, r => Assert.Equal(Enumerable.Range(1, last).Select(i => (long)i), r.Received.Select(c => c.Seq)));
        Assert.Equal(5, readers.Count(r => r.Failovers == 1));
        foreach (var r in readers.Concat(connections)) await r.DisposeAsync();
    }
}
