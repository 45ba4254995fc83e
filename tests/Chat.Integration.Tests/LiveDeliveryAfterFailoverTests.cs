using System.Diagnostics;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// Live delivery survives the end (crash or stop) of the silo that hosts a thread by itself: the thread's new
/// activation knows the web nodes that were subscribed and pushes to them, without waiting for a
/// node's relay refresh (set to 5 minutes here, so that only that can deliver in time).
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class LiveDeliveryAfterFailoverTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string> NoTimelyRefresh = new()
    {
        ["Chat__Relay__RefreshPeriod"] = "00:05:00",
        // Longer than the refresh period, so that subscriptions do not expire between refreshes.
        ["Chat__Threads__SubscriptionExpiry"] = "00:10:00",
    };

    /// <summary>From the silo's end until the reader has everything: well under the 5-minute refresh.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    /// <param name="webNode">"last release": the web node runs the last recorded release
    /// (<see cref="ReleaseBuild"/>), as during a rolling upgrade, and its observer may not know
    /// every method the current silos call on it.</param>
    [Theory]
    [InlineData("killed", "current")] // SIGKILL: the grain's activation is simply gone
    [InlineData("stopped", "current")] // SIGTERM, as in a rolling restart: the grain deactivates and moves
    [InlineData("killed", "last release")]
    [InlineData("stopped", "last release")]
    public async Task A_reader_gets_every_comment_once_in_order_after_the_silo_hosting_its_thread_goes_without_a_relay_refresh(string how, string webNode)
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 0, NoTimelyRefresh);
        cluster.Webs.Add(await cluster.StartWebAsync(webNode == "current" ? null : (await ReleaseBuild.LastAsync()).Root));
        var web = cluster.WebAddresses[0];
        using var author = await ChatApiClient.SignedUpAsync(web);
        var threadId = await author.CreateThreadAsync("Read through a crash");
        await author.PostCommentSeqAsync(threadId, 0, "warm-up"); // activates the thread grain
        await using var reader = await ThreadReader.ConnectAsync(web, threadId);
        await using var posting = await ThreadReader.ConnectAsync(web, threadId, author.Token);
        var during = new Poster(posting, "during");
        var after = new Poster(posting, "after");
        var host = await cluster.HostOfThreadAsync();
        var clock = Stopwatch.StartNew();

        var posts = during.PostAsync(60, 4, clock, Deadline);
        await Eventually.True(() => during.Acknowledged.Count >= 20, Deadline, "20 comments acknowledged before the silo goes");
        await Eventually.True(() => reader.LastSeq > 1, Deadline, "the reader gets pushes before the silo goes");
        var endedAt = clock.Elapsed;
        if (how == "killed") await host.KillAsync();
        else Assert.Equal(0, await host.StopGracefullyAsync());
        await posts;
        // Posts that surely reach the thread's new activation (a stopping silo may take all of the
        // first ones before it hands the thread over).
        await after.PostAsync(10, 1, clock, Deadline);

        var last = during.Acknowledged.Keys.Concat(after.Acknowledged.Keys).Max();
        Assert.Equal(71, last); // the warm-up and 70: each stored once
        await Eventually.True(() => reader.LastSeq == last, Deadline - (clock.Elapsed - endedAt), $"the reader has all {last} comments");
        output.WriteLine($"{how} at {endedAt.TotalSeconds:0.0} s; posting done and the reader had all {last} by {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), reader.Received.Select(c => c.Seq));
        // The web node filled any gap itself before pushing: the reader never had to.
        Assert.Equal(0, reader.GapFetches);
        // The grain called the node only with what it understands: a call an older node cannot
        // decode is dropped with an error in its log ("Unable to parse or load type").
        Assert.DoesNotContain("Exception reading message", cluster.Webs[0].Log);
    }

    /// <summary>
    /// The new activation takes the nodes back with no viewers and asks each to subscribe again at
    /// once: a node with no reason to call (no reader came or went there) still reports its readers,
    /// so the count is whole without waiting for that node's refresh.
    /// </summary>
    [Fact]
    public async Task The_viewer_count_is_whole_again_at_once_after_the_silo_hosting_the_thread_is_killed()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 2, NoTimelyRefresh);
        var (a, b) = (cluster.WebAddresses[0], cluster.WebAddresses[1]);
        using var author = await ChatApiClient.SignedUpAsync(a);
        var threadId = await author.CreateThreadAsync("Counted through a crash");
        await author.PostCommentSeqAsync(threadId, 0, "warm-up"); // activates the thread grain
        var readers = new List<ThreadReader>
        {
            await ThreadReader.ConnectAsync(a, threadId),
            await ThreadReader.ConnectAsync(a, threadId),
            await ThreadReader.ConnectAsync(b, threadId),
        };
        try
        {
            await Eventually.True(() => readers.All(r => r.Viewers == 3), Deadline, "every reader sees 3 reading");
            var host = await cluster.HostOfThreadAsync();

            await host.KillAsync();
            // Activates the thread again, on the other silo (retried with one clientId until it is).
            await Eventually.True(async () =>
            {
                try { return await author.PostCommentSeqAsync(threadId, 0, "after the kill", "after-the-kill") == 2; }
                catch (HttpRequestException) { return false; }
            }, Deadline, "a post after the kill is stored");
            readers.Add(await ThreadReader.ConnectAsync(a, threadId));

            // Without node b re-subscribing, the grain would count only node a's 3.
            await Eventually.True(() => readers.All(r => r.Viewers == 4), Deadline, "every reader sees 4 reading");
        }
        finally
        {
            foreach (var reader in readers) await reader.DisposeAsync();
        }
    }
}
