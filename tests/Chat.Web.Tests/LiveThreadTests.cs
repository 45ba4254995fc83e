using Xunit.Abstractions;

namespace Chat.Web.Tests;

/// <summary>The realtime path end to end: real Kestrel, real SignalR .NET clients, real Azurite.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class LiveThreadTests(WebFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Ten_readers_each_receive_all_comments_of_two_concurrent_posters_once_and_in_order()
    {
        using var hubPoster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var httpPoster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await hubPoster.CreateThreadAsync();
        var readers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ThreadReader.ConnectAsync(fixture.BaseAddress, threadId)));
        await using var posterConnection = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, hubPoster.Token);

        // 50 each, concurrently: one user through the hub, the other through HTTP.
        var viaHub = Task.WhenAll(Enumerable.Range(0, 50).Select(i => posterConnection.PostAsync(0, $"hub {i}")));
        var viaHttp = Task.WhenAll(Enumerable.Range(0, 50).Select(i => httpPoster.PostCommentSeqAsync(threadId, 0, $"http {i}")));
        var acknowledged = (await viaHub).Concat(await viaHttp).ToArray();

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), acknowledged.Order());
        await Eventually.True(() => readers.All(r => r.LastSeq == 100), Deadline, "every reader has seq 100");
        foreach (var reader in readers)
        {
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), reader.Received.Select(c => c.Seq));
            // Live delivery alone did it: no gap had to be filled and nothing was pushed twice.
            Assert.Equal(0, reader.GapFetches);
            Assert.Equal(0, reader.DuplicatePushes);
        }
        Assert.Equal(50, readers[0].Received.Count(c => c.Author == hubPoster.UserName));
        Assert.Equal(50, readers[0].Received.Count(c => c.Author == httpPoster.UserName));
        foreach (var reader in readers) await reader.DisposeAsync();
    }

    [Fact]
    public async Task A_reader_stopped_half_way_rejoins_with_its_last_seq_and_ends_with_the_full_sequence()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await poster.CreateThreadAsync();
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);

        for (var i = 1; i <= 20; i++) await poster.PostCommentSeqAsync(threadId, 0, $"before {i}");
        await Eventually.True(() => reader.LastSeq == 20, Deadline, "reader has the first 20");
        await reader.StopAsync();
        for (var i = 1; i <= 30; i++) await poster.PostCommentSeqAsync(threadId, i % 5 == 0 ? i : 0, $"while away {i}");
        await reader.RestartAsync();
        for (var i = 1; i <= 10; i++) await poster.PostCommentSeqAsync(threadId, 0, $"after {i}");

        await Eventually.True(() => reader.LastSeq == 60, Deadline, "reader has all 60");
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), reader.Received.Select(c => c.Seq));
    }

    [Fact]
    public async Task Joining_returns_the_comments_after_the_given_seq_and_the_viewer_count()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await poster.CreateThreadAsync();
        for (var i = 1; i <= 12; i++) await poster.PostCommentSeqAsync(threadId, 0, $"c{i}");

        await using var late = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, afterSeq: 7);
        await using var second = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);

        Assert.Equal(new long[] { 8, 9, 10, 11, 12 }, late.Received.Select(c => c.Seq));
        Assert.Equal(12, second.Received.Count);
        await Eventually.True(() => late.Viewers == 2 && second.Viewers == 2, Deadline, "both readers see 2 viewers");
        await second.DisposeAsync();
        await Eventually.True(() => late.Viewers == 1, Deadline, "the remaining reader sees 1 viewer");
        output.WriteLine($"viewers after one left: {late.Viewers}");
    }
}
