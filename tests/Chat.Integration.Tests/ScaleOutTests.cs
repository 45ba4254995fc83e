using System.Diagnostics;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// Separate silo and web tiers as real processes on loopback: the cluster behaves as one site, and a
/// crash of any one process loses no acknowledged comment and leaves no reader with a gap.
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class ScaleOutTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private static async Task<(ChatApiClient Author, string ThreadId)> NewThreadAsync(Uri node)
    {
        var author = await ChatApiClient.SignedUpAsync(node);
        return (author, await author.CreateThreadAsync("Hot thread"));
    }

    /// <summary>Readers split round-robin over the web nodes, each able to fail over to the others.</summary>
    private static Task<ThreadReader[]> ReadersAsync(Uri[] nodes, string threadId, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            ThreadReader.ConnectAsync(nodes.Skip(i % nodes.Length).Concat(nodes.Take(i % nodes.Length)).ToArray(), threadId)));

    private static async Task<(Poster Poster, ThreadReader Connection)> PosterAsync(Uri[] nodes, int node, string threadId, string name)
    {
        using var user = await ChatApiClient.SignedUpAsync(nodes[node]);
        var connection = await ThreadReader.ConnectAsync(nodes.Skip(node).Concat(nodes.Take(node)).ToArray(), threadId, user.Token);
        return (new Poster(connection, name), connection);
    }

    private static void AssertFullSequence(IEnumerable<ThreadReader> readers, long last)
    {
        foreach (var reader in readers)
            Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), reader.Received.Select(c => c.Seq));
    }

    [Fact]
    public async Task Readers_on_two_web_nodes_get_every_comment_of_posters_on_both_once_in_order_with_one_notification_per_node_per_batch()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 2);
        var (author, threadId) = await NewThreadAsync(cluster.WebAddresses[0]);
        var readers = await ReadersAsync(cluster.WebAddresses, threadId, 100);
        var (a, connectionA) = await PosterAsync(cluster.WebAddresses, 0, threadId, "a");
        var (b, connectionB) = await PosterAsync(cluster.WebAddresses, 1, threadId, "b");
        var clock = Stopwatch.StartNew();
        // Presence is summed over both nodes: 100 readers and the 2 posters' connections.
        await Eventually.True(() => readers.All(r => r.Viewers == 102), Deadline, "every reader sees 102 reading now");
        output.WriteLine($"viewer count settled on every reader {clock.ElapsedMilliseconds} ms after the last join");
        clock.Restart();

        await Task.WhenAll(a.PostAsync(250, 20, clock, Deadline), b.PostAsync(250, 20, clock, Deadline));
        await Eventually.True(() => readers.All(r => r.LastSeq == 500), Deadline, "all 100 readers have 500 comments");
        output.WriteLine($"500 comments posted and delivered to 100 readers in {clock.ElapsedMilliseconds} ms");

        AssertFullSequence(readers, 500);
        Assert.Equal(0, a.Failures + b.Failures);
        Assert.Equal(500, a.Acknowledged.Count + b.Acknowledged.Count);
        Assert.All(readers, r => Assert.Equal(0, r.GapFetches));
        var flushes = await ClusterProcesses.SumAsync(cluster.Silos, "chat_flushes_total");
        var notifications = await ClusterProcesses.SumAsync(cluster.Silos, "chat_observer_notifications_total");
        var deliveries = await ClusterProcesses.SumAsync(cluster.Webs, "chat_signalr_deliveries_total");
        output.WriteLine($"{flushes} flushes, {notifications} observer notifications, {deliveries} SignalR deliveries");
        Assert.InRange(flushes, 5, 499); // group commit batched at least some of them
        Assert.InRange(notifications, flushes, 2 * flushes); // one per subscribed node per batch, not per reader
        foreach (var r in readers.Append(connectionA).Append(connectionB)) await r.DisposeAsync();
        author.Dispose();
    }

    [Fact]
    public async Task Kill_minus_9_of_the_silo_hosting_a_hot_thread_loses_nothing_and_posting_resumes()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 2);
        var (author, threadId) = await NewThreadAsync(cluster.WebAddresses[0]);
        var readers = await ReadersAsync(cluster.WebAddresses, threadId, 20);
        var (a, connectionA) = await PosterAsync(cluster.WebAddresses, 0, threadId, "a");
        var (b, connectionB) = await PosterAsync(cluster.WebAddresses, 1, threadId, "b");
        await author.PostCommentSeqAsync(threadId, 0, "warm-up"); // activates the thread grain
        var host = await cluster.HostOfThreadAsync();
        var clock = Stopwatch.StartNew();

        var posting = Task.WhenAll(a.PostAsync(200, 4, clock, Deadline), b.PostAsync(200, 4, clock, Deadline));
        await Eventually.True(() => a.Acknowledged.Count + b.Acknowledged.Count >= 100, Deadline, "100 comments acknowledged before the kill");
        var killedAt = clock.Elapsed;
        await host.KillAsync();
        await posting;

        var acknowledged = a.Acknowledged.Concat(b.Acknowledged).ToDictionary();
        Assert.Equal(400, acknowledged.Count);
        var last = acknowledged.Keys.Max();
        Assert.Equal(401, last); // the warm-up plus 400: no seq skipped, none stored twice
        await Eventually.True(() => readers.All(r => r.LastSeq == last), Deadline, "every reader has the full sequence");
        AssertFullSequence(readers, last);
        using var check = ChatApiClient.Anonymous(cluster.WebAddresses[0]);
        var stored = (await check.GetCommentsAsync(threadId)).ToDictionary(c => c.Seq, c => c.Body);
        Assert.All(acknowledged, ack => Assert.Equal(ack.Value, stored[ack.Key]));
        var failures = a.Failures + b.Failures;
        var stall = new[] { a.SlowestPost, b.SlowestPost }.Max();
        output.WriteLine($"killed silo at {killedAt.TotalSeconds:0.0} s; posting done at {clock.Elapsed.TotalSeconds:0.0} s; {failures} failed attempts retried by the posters; slowest post (the stall) {stall.TotalSeconds:0.0} s");
        foreach (var r in readers.Append(connectionA).Append(connectionB)) await r.DisposeAsync();
        author.Dispose();
    }

    [Fact]
    public async Task Kill_minus_9_of_a_web_node_moves_its_readers_to_the_other_node_where_they_catch_up()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 1, webs: 2);
        var (author, threadId) = await NewThreadAsync(cluster.WebAddresses[1]);
        var readers = await ReadersAsync(cluster.WebAddresses, threadId, 20);
        for (var i = 1; i <= 20; i++) await author.PostCommentSeqAsync(threadId, 0, $"before {i}");
        await Eventually.True(() => readers.All(r => r.LastSeq == 20), Deadline, "readers have the first 20");

        await cluster.Webs[0].KillAsync();
        for (var i = 1; i <= 30; i++) await author.PostCommentSeqAsync(threadId, 0, $"after {i}");

        await Eventually.True(() => readers.All(r => r.LastSeq == 50), Deadline, "all readers, moved or not, have 50");
        AssertFullSequence(readers, 50);
        Assert.Equal(10, readers.Count(r => r.Failovers == 1));
        Assert.All(readers, r => Assert.Equal(cluster.WebAddresses[1], r.Node));
        // The dead node's share of the viewer count ages out with its subscription.
        await Eventually.True(() => readers.All(r => r.Viewers == 20), Deadline, "viewers count only the live node's 20 readers");
        foreach (var r in readers) await r.DisposeAsync();
        author.Dispose();
    }

    [Fact]
    public async Task A_web_node_stopped_gracefully_sends_its_readers_to_the_other_node_where_they_catch_up()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 1, webs: 2);
        var (author, threadId) = await NewThreadAsync(cluster.WebAddresses[1]);
        var readers = await ReadersAsync(cluster.WebAddresses, threadId, 10);
        for (var i = 1; i <= 5; i++) await author.PostCommentSeqAsync(threadId, 0, $"before {i}");

        Assert.Equal(0, await cluster.Webs[0].StopGracefullyAsync());
        for (var i = 1; i <= 5; i++) await author.PostCommentSeqAsync(threadId, 0, $"after {i}");

        await Eventually.True(() => readers.All(r => r.LastSeq == 10), Deadline, "all readers have 10");
        AssertFullSequence(readers, 10);
        Assert.Equal(5, readers.Count(r => r.Failovers == 1));
        foreach (var r in readers) await r.DisposeAsync();
        author.Dispose();
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_under_posting_fails_no_post()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 1);
        var (author, threadId) = await NewThreadAsync(cluster.WebAddresses[0]);
        var readers = await ReadersAsync(cluster.WebAddresses, threadId, 5);
        var (a, connectionA) = await PosterAsync(cluster.WebAddresses, 0, threadId, "a");
        await author.PostCommentSeqAsync(threadId, 0, "warm-up");
        var host = await cluster.HostOfThreadAsync();
        var clock = Stopwatch.StartNew();

        var posting = a.PostAsync(200, 4, clock, Deadline);
        await Eventually.True(() => a.Acknowledged.Count >= 50, Deadline, "50 comments acknowledged before the stop");
        Assert.Equal(0, await host.StopGracefullyAsync());
        await posting;

        output.WriteLine($"{a.Failures} failed post attempts while a silo shut down; slowest post {a.SlowestPost.TotalSeconds:0.0} s; posting took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(0, a.Failures);
        Assert.Equal(200, a.Acknowledged.Count);
        await Eventually.True(() => readers.All(r => r.LastSeq == 201), Deadline, "readers have everything");
        AssertFullSequence(readers, 201);
        foreach (var r in readers.Append(connectionA)) await r.DisposeAsync();
        author.Dispose();
    }

    [Fact]
    public async Task A_silo_started_while_the_cluster_runs_receives_new_activations()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 1, webs: 1);
        using var user = await ChatApiClient.SignedUpAsync(cluster.WebAddresses[0]);
        await user.PostCommentSeqAsync(await user.CreateThreadAsync("before"), 0, "x");

        var added = await cluster.StartSiloAsync();
        cluster.Silos.Add(added);
        for (var i = 0; i < 30; i++) await user.PostCommentSeqAsync(await user.CreateThreadAsync($"thread {i}"), 0, "x");

        var onNewSilo = await PrometheusScrape.SumAsync(added.BaseAddress, "chat_flushes_total");
        output.WriteLine($"{onNewSilo} of 30 new threads flushed on the silo that joined late");
        Assert.True(onNewSilo > 0, "the new silo hosts some of the new threads");
    }
}
