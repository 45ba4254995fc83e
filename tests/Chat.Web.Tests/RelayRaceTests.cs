using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// Races between a node's relays and its readers coming and going, put in the losing order on
/// purpose (see <see cref="GrainCallProbe"/>). Each test runs its own web host, with its own relay timings.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
[Trait(Lanes.Slow, "true")]
public sealed class RelayRaceTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private async Task<(InProcessWebHost Host, GrainCallProbe Probe)> StartHostAsync(Dictionary<string, string?> settings)
    {
        var probe = new GrainCallProbe();
        // Its own ServiceId (the key of grain state): this node's cluster shares the fixture's Azurite,
        // and two clusters writing the one front-page grain's state under the same key make each
        // other's writes fail (a stale ETag, a 503 for whoever creates a thread next).
        settings["Chat:Cluster:ServiceId"] = "relay-race-" + Guid.NewGuid().ToString("N")[..8];
        return (await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString, settings, probe.AddTo), probe);
    }

    /// <summary>
    /// Joins and leaves are reported to the thread grain after ViewerReportDelay. Order: B's join
    /// schedules a report; before it fires, B and A (the last reader) leave, so the node drops the
    /// thread, and C joins, so the node takes the thread up again. The delay is 3 s and the refresh
    /// 60 s, so the report that fires is the one scheduled before C came, and nothing else reports.
    /// It must count C: the grain (and so every page) must say 1 reader, not 0.
    /// </summary>
    [Fact]
    public async Task A_viewer_report_scheduled_before_the_last_reader_left_counts_the_reader_who_came_back()
    {
        var reportDelay = TimeSpan.FromSeconds(3);
        var (host, probe) = await StartHostAsync(new()
        {
            ["Chat:Relay:ViewerReportDelay"] = reportDelay.ToString(),
            ["Chat:Relay:RefreshPeriod"] = "00:01:00",
        });
        await using var _ = host;
        using var poster = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        var threadId = await poster.CreateThreadAsync("Who is reading");
        await using var a = await ThreadReader.ConnectAsync(host.BaseAddress, threadId);
        var clock = Stopwatch.StartNew();
        await using var b = await ThreadReader.ConnectAsync(host.BaseAddress, threadId);

        await b.Connection.InvokeAsync("LeaveThread", threadId);
        await a.Connection.InvokeAsync("LeaveThread", threadId);
        await using var c = await ThreadReader.ConnectAsync(host.BaseAddress, threadId);
        var reportsBefore = probe.ThreadSubscribes.Count(s => s.ThreadId == threadId);
        Assert.True(clock.Elapsed < reportDelay, $"The set-up took {clock.Elapsed.TotalSeconds:0.0} s, longer than the report delay: the race was not reproduced.");

        await Eventually.True(() => probe.ThreadSubscribes.Count(s => s.ThreadId == threadId) > reportsBefore, Deadline, "the delayed viewer report reaches the grain");
        var report = probe.ThreadSubscribes.Where(s => s.ThreadId == threadId).Skip(reportsBefore).First();
        Assert.Equal((1, 1), (report.ReportedViewers, report.GrainViewers));
        Assert.Equal(1, c.Viewers);
    }

    /// <summary>
    /// The node drops its front-page subscription at a refresh that finds no readers. Order: the
    /// unsubscribe is held on its way out; a reader joins meanwhile (the node subscribes); then the
    /// unsubscribe lands after that subscribe. The reader must still get the next change promptly,
    /// not one refresh period (10 s) later.
    /// </summary>
    [Fact]
    public async Task A_front_page_reader_who_joins_while_the_node_unsubscribes_still_gets_pushes()
    {
        var (host, probe) = await StartHostAsync(new() { ["Chat:Relay:RefreshPeriod"] = "00:00:10" });
        await using var _ = host;
        using var author = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        var unsubscribe = probe.HoldNext<IFrontPageGrain>(nameof(IFrontPageGrain.Unsubscribe), nameof(IFrontPageGrain.Subscribe));
        await using (var gone = await ConnectAsync(host))
        {
            await gone.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "new");
            await gone.InvokeAsync("LeaveFrontPage");
        }
        await unsubscribe.Reached.Task.WaitAsync(Deadline);

        await using var reader = await ConnectAsync(host);
        var pushes = new ConcurrentQueue<ThreadSummary[]>();
        reader.On<string, ThreadSummary[]>(nameof(IDiscussionClient.FrontPage), (sort, threads) => { if (sort == "new") pushes.Enqueue(threads); });
        await reader.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "new");
        await unsubscribe.Landed.Task.WaitAsync(Deadline);
        var threadId = await author.CreateThreadAsync("Pushed to the reader who came during the unsubscribe");

        await Eventually.True(() => pushes.Any(p => p.FirstOrDefault()?.Id == threadId), TimeSpan.FromSeconds(3), "a push lists the new thread within 3 s");
    }

    /// <summary>
    /// The same race for a thread, whose node unsubscribes as soon as its last reader leaves: the
    /// unsubscribe is held, a new reader joins (the node subscribes again), then the unsubscribe
    /// lands. The new reader must get the next comment pushed, not after the next refresh (10 s).
    /// </summary>
    [Fact]
    public async Task A_thread_reader_who_joins_while_the_node_unsubscribes_still_gets_comments_pushed()
    {
        var (host, probe) = await StartHostAsync(new() { ["Chat:Relay:RefreshPeriod"] = "00:00:10" });
        await using var _ = host;
        using var poster = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        var threadId = await poster.CreateThreadAsync("Back during the unsubscribe");
        await using var gone = await ThreadReader.ConnectAsync(host.BaseAddress, threadId);
        var unsubscribe = probe.HoldNext<IThreadGrain>(nameof(IThreadGrain.Unsubscribe), nameof(IThreadGrain.Subscribe));
        var leaving = gone.Connection.InvokeAsync("LeaveThread", threadId);
        await unsubscribe.Reached.Task.WaitAsync(Deadline);

        await using var reader = await ThreadReader.ConnectAsync(host.BaseAddress, threadId);
        await unsubscribe.Landed.Task.WaitAsync(Deadline);
        await leaving.WaitAsync(Deadline);
        var seq = await poster.PostCommentSeqAsync(threadId, 0, "Pushed to the reader who came back");

        await Eventually.True(() => reader.LastSeq == seq, TimeSpan.FromSeconds(3), "the comment is pushed within 3 s");
        Assert.Equal(0, reader.GapFetches);
    }

    /// <summary>
    /// The same race for an inbox, which the node drops at a refresh that finds none of the user's
    /// pages left: while that unsubscribe is held, the user opens a page again. The page must get
    /// the next reply's count pushed, not after the next refresh (10 s).
    /// </summary>
    [Fact]
    public async Task An_inbox_page_opened_while_the_node_unsubscribes_still_gets_the_count_pushed()
    {
        var (host, probe) = await StartHostAsync(new() { ["Chat:Relay:RefreshPeriod"] = "00:00:10" });
        await using var _ = host;
        using var alice = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        var threadId = await alice.CreateThreadAsync("Inbox during the unsubscribe");
        var aliceSeq = await alice.PostCommentSeqAsync(threadId, 0, "Alice asks");
        var unsubscribe = probe.HoldNext<IUserGrain>(nameof(IUserGrain.UnsubscribeInbox), nameof(IUserGrain.SubscribeInbox));
        await using (var gone = await ConnectAsync(host, alice.Token))
            await gone.InvokeAsync<InboxCount>("JoinInbox");
        await unsubscribe.Reached.Task.WaitAsync(Deadline);

        await using var page = await ConnectAsync(host, alice.Token);
        var counts = new ConcurrentQueue<int>();
        page.On<InboxCount>(nameof(IDiscussionClient.Inbox), c => counts.Enqueue(c.Unread));
        await page.InvokeAsync<InboxCount>("JoinInbox");
        await unsubscribe.Landed.Task.WaitAsync(Deadline);
        await bob.PostCommentSeqAsync(threadId, aliceSeq, "Bob answers");

        await Eventually.True(() => counts.Contains(1), TimeSpan.FromSeconds(3), "the page shows 1 unread within 3 s");
    }

    private static async Task<HubConnection> ConnectAsync(InProcessWebHost host, string? token = null)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, "/hubs/discussion"), o =>
        {
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        }).Build();
        await connection.StartAsync();
        return connection;
    }
}
