using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// Storage goes away for 10 s while posting goes on, stopped outright or frozen (SIGSTOP): posts
/// fail within seconds with a clear error, readers keep what the thread holds in memory, the host reports
/// unready, and everything heals by itself: no acknowledged comment lost, no retry stored twice.
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class StorageFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chat-fault-" + Guid.NewGuid().ToString("N")[..8]);
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync(_dataDir);

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("stopped")]
    [InlineData("frozen")]
    public async Task Posting_through_a_storage_outage_fails_fast_then_heals_with_nothing_lost_or_doubled(string fault)
    {
        await using var web = await HostProcess.StartWebAsync(_azurite.ConnectionString);
        using var author = await ChatApiClient.SignedUpAsync(web.BaseAddress);
        var threadId = await author.CreateThreadAsync("Through an outage");
        await using var reader = await ThreadReader.ConnectAsync(web.BaseAddress, threadId);
        await using var poster = await ThreadReader.ConnectAsync(web.BaseAddress, threadId, author.Token);
        var acknowledged = new Dictionary<long, string>();
        var next = 1;
        for (; next <= 20; next++) acknowledged[await poster.PostAsync(0, $"c{next}", $"id-{next}")] = $"c{next}";

        if (fault == "stopped") await _azurite.StopAsync(); else _azurite.Freeze();
        var clock = Stopwatch.StartNew();
        var failures = new List<(TimeSpan Took, string Message)>();
        var unreadySeen = false;
        using var probe = new HttpClient { BaseAddress = web.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (clock.Elapsed < Outage)
        {
            var started = clock.Elapsed;
            try
            {
                acknowledged[await poster.PostAsync(0, $"c{next}", $"id-{next}")] = $"c{next}";
                next++;
            }
            catch (Microsoft.AspNetCore.SignalR.HubException ex)
            {
                failures.Add((clock.Elapsed - started, ex.Message)); // the same post is retried next round, same clientId
            }
            unreadySeen |= (await probe.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable;
        }
        // A reader joining during the outage still gets the thread from the grain's memory.
        await using var lateReader = await ThreadReader.ConnectAsync(web.BaseAddress, threadId);
        var duringOutage = lateReader.Received.Count;

        if (fault == "stopped") await _azurite.RestartAsync(); else _azurite.Thaw();
        await Eventually.True(async () => (await probe.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "ready again");
        var healedAt = clock.Elapsed;
        while (true)
        {
            try { acknowledged[await poster.PostAsync(0, $"c{next}", $"id-{next}")] = $"c{next}"; break; }
            catch (Microsoft.AspNetCore.SignalR.HubException) when (clock.Elapsed < healedAt + TimeSpan.FromSeconds(30)) { }
        }
        for (var i = 0; i < 5; i++) { next++; acknowledged[await poster.PostAsync(0, $"c{next}", $"id-{next}")] = $"c{next}"; }

        var slowest = failures.Count == 0 ? TimeSpan.Zero : failures.Max(f => f.Took);
        output.WriteLine($"{fault}: {failures.Count} posts refused during the outage, slowest refusal {slowest.TotalMilliseconds:0} ms; " +
                         $"a reader joining then got {duringOutage} comments; first post after healing {(clock.Elapsed - healedAt).TotalMilliseconds:0} ms after ready");
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Contains("unavailable, try again", f.Message));
        // A write that times out (1.5 s) is followed by up to three re-reads (1.5 s each) that tell a
        // slow storage from one that is down: a refusal comes within about 6 s, never after a long hang.
        Assert.True(slowest < TimeSpan.FromSeconds(9), $"posts must fail within 9 s; the slowest took {slowest.TotalMilliseconds:0} ms");
        Assert.True(unreadySeen, "/health/ready reported unready during the outage");
        Assert.True(duringOutage >= 20, "a reader joining during the outage got the hot window");
        var stored = await author.GetCommentsAsync(threadId);
        Assert.Equal(Enumerable.Range(1, stored.Length).Select(i => (long)i), stored.Select(c => c.Seq)); // no gap
        Assert.Equal(stored.Length, stored.Select(c => c.Body).Distinct().Count()); // no retry stored twice
        Assert.All(acknowledged, a => Assert.Equal(a.Value, stored.Single(c => c.Seq == a.Key).Body)); // nothing acknowledged lost
        await Eventually.True(() => reader.LastSeq == stored.Length, TimeSpan.FromSeconds(20), "the live reader has everything");
        Assert.Equal(stored.Select(c => c.Seq), reader.Received.Select(c => c.Seq));
    }
}
