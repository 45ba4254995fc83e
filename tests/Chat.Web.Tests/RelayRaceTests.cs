using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// Races between a node's relays and its readers coming and going, put in the losing order on
/// purpose (see <see cref="GrainCallProbe"/>). Each test runs its own web host, with its own relay timings.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RelayRaceTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private async Task<(InProcessWebHost Host, GrainCallProbe Probe)> StartHostAsync(Dictionary<string, string?> settings)
    {
        var probe = new GrainCallProbe();
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
        probe.HoldNextFrontPageUnsubscribeUntilASubscribe();
        await using (var gone = await ConnectAsync(host))
        {
            await gone.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "new");
            await gone.InvokeAsync("LeaveFrontPage");
        }
        await probe.FrontPageUnsubscribeHeld.Task.WaitAsync(Deadline);

        await using var reader = await ConnectAsync(host);
        var pushes = new ConcurrentQueue<ThreadSummary[]>();
        reader.On<string, ThreadSummary[]>(nameof(IDiscussionClient.FrontPage), (sort, threads) => { if (sort == "new") pushes.Enqueue(threads); });
        await reader.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "new");
        await probe.FrontPageUnsubscribeLanded.Task.WaitAsync(Deadline);
        var threadId = await author.CreateThreadAsync("Pushed to the reader who came during the unsubscribe");

        await Eventually.True(() => pushes.Any(p => p.FirstOrDefault()?.Id == threadId), TimeSpan.FromSeconds(3), "a push lists the new thread within 3 s");
    }

    private static async Task<HubConnection> ConnectAsync(InProcessWebHost host)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, "/hubs/discussion")).Build();
        await connection.StartAsync();
        return connection;
    }
}
