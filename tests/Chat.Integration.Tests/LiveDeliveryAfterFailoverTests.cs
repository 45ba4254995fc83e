using System.Diagnostics;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// Live delivery survives the death of the silo that hosts a thread by itself: the thread's new
/// activation knows the web nodes that were subscribed and pushes to them, without waiting for a
/// node's relay refresh (set to 5 minutes here, so that only that can deliver in time).
/// </summary>
public sealed class LiveDeliveryAfterFailoverTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string> NoTimelyRefresh = new()
    {
        ["Chat__Relay__RefreshPeriod"] = "00:05:00",
        // Longer than the refresh period, so that subscriptions do not expire between refreshes.
        ["Chat__Threads__SubscriptionExpiry"] = "00:10:00",
    };

    /// <summary>From the kill until the reader has everything: well under the 5-minute refresh.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_reader_gets_every_comment_once_in_order_after_the_silo_hosting_its_thread_is_killed_without_a_relay_refresh()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 1, NoTimelyRefresh);
        var web = cluster.WebAddresses[0];
        using var author = await ChatApiClient.SignedUpAsync(web);
        var threadId = await author.CreateThreadAsync("Read through a crash");
        await author.PostCommentSeqAsync(threadId, 0, "warm-up"); // activates the thread grain
        await using var reader = await ThreadReader.ConnectAsync(web, threadId);
        await using var posting = await ThreadReader.ConnectAsync(web, threadId, author.Token);
        var poster = new Poster(posting, "p");
        var host = await cluster.HostOfThreadAsync();
        var clock = Stopwatch.StartNew();

        var posts = poster.PostAsync(60, 4, clock, Deadline);
        await Eventually.True(() => poster.Acknowledged.Count >= 20, Deadline, "20 comments acknowledged before the kill");
        await Eventually.True(() => reader.LastSeq > 1, Deadline, "the reader gets pushes before the kill");
        await host.KillAsync();
        var killedAt = clock.Elapsed;
        await posts;

        var last = poster.Acknowledged.Keys.Max();
        Assert.Equal(61, last); // the warm-up and 60: each stored once
        await Eventually.True(() => reader.LastSeq == last, Deadline - (clock.Elapsed - killedAt), $"the reader has all {last} comments");
        output.WriteLine($"killed at {killedAt.TotalSeconds:0.0} s; posting done and the reader had all {last} by {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), reader.Received.Select(c => c.Seq));
        // The web node filled any gap itself before pushing: the reader never had to.
        Assert.Equal(0, reader.GapFetches);
    }
}
