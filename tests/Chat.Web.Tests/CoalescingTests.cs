using System.Net.Http.Json;

namespace Chat.Web.Tests;

/// <summary>
/// Chat:Relay:CoalesceWindow: comments of a thread that reach a web node close together go to each
/// reader as one message (with a window: those within it, counted from the first arrival or from
/// the thread's last send; adaptive at 0: those arriving during a send), still in seq order, and a change to a comment never overtakes it.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class CoalescingTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("00:00:00", "FirstArrival", 5)]
    [InlineData("00:00:01", "FirstArrival", 2)]
    // From the last send: the first comment goes at once, the rest wait for the window after it
    // (or go with the edit, which flushes what is pending before it).
    [InlineData("00:00:01", "LastSend", 3)]
    public async Task Comments_posted_one_after_another_reach_a_reader_in_order_in_as_many_messages_as_the_window_allows(string window, string from, int mostMessages)
    {
        // Its own ServiceId (the key of grain state): this node's cluster shares the fixture's Azurite,
        // and two clusters' front-page grains must not write the same rows.
        await using var host = await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Chat:Relay:CoalesceWindow"] = window,
            ["Chat:Relay:CoalesceFrom"] = from,
            ["Chat:Cluster:ServiceId"] = "coalescing-" + Guid.NewGuid().ToString("N")[..8],
        });
        using var author = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        await using var reader = await ThreadReader.ConnectAsync(host.BaseAddress, threadId);

        // One after another: each is its own batch from the grain (its own table transaction).
        var seqs = new List<long>();
        for (var i = 1; i <= 5; i++) seqs.Add(await author.PostCommentSeqAsync(threadId, 0, $"comment {i}"));
        // Edited at once: the change must not reach the reader before the comment does.
        (await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seqs[^1]}", new { body = "comment 5, edited" })).EnsureSuccessStatusCode();

        await Eventually.True(() => reader.LastSeq == 5 && reader.Updates.Count == 1, Deadline, "the reader has all 5 comments and the edit");
        Assert.Equal([1L, 2, 3, 4, 5], reader.Received.Select(c => c.Seq));
        Assert.Equal(0, reader.UpdatesAheadOfTheirComment);
        Assert.Equal(0, reader.GapFetches);
        Assert.InRange(reader.CommentMessages, 1, mostMessages);
    }

    [Fact]
    public async Task A_window_out_of_range_stops_the_web_node_at_start_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString,
            new Dictionary<string, string?> { ["Chat:Relay:CoalesceWindow"] = "00:00:05" }));
        Assert.Contains("Chat:Relay:CoalesceWindow", error.ToString());
    }

    [Fact]
    public async Task An_unknown_coalescing_origin_stops_the_web_node_at_start_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString,
            new Dictionary<string, string?> { ["Chat:Relay:CoalesceFrom"] = "Sometimes" }));
        Assert.Contains("Chat:Relay:CoalesceFrom", error.ToString());
    }
}
