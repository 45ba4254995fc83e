using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// Chat:Relay:SubGroups: a thread's readers on a node split into sub-groups that new comments go to
/// in parallel. Every reader still gets every comment once and in order, every other push (edits,
/// typing) reaches all of them, and a reader who left gets nothing more.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class SubGroupTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Readers_in_four_sub_groups_each_get_every_comment_in_order_and_every_other_push()
    {
        await using var host = await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Chat:Relay:SubGroups"] = "4",
            ["Chat:Cluster:ServiceId"] = "subgroups-" + Guid.NewGuid().ToString("N")[..8],
        });
        using var author = await ChatApiClient.SignedUpAsync(host.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        // Twelve readers: with four sub-groups by connection id, every sub-group is all but sure to have some.
        var readers = new List<ThreadReader>();
        for (var i = 0; i < 12; i++) readers.Add(await ThreadReader.ConnectAsync(host.BaseAddress, threadId));
        var leaver = readers[0];
        await using var typist = await ThreadReader.ConnectAsync(host.BaseAddress, threadId, author.Token);
        try
        {
            var seqs = new List<long>();
            for (var i = 1; i <= 10; i++) seqs.Add(await author.PostCommentSeqAsync(threadId, 0, $"comment {i}"));
            await Eventually.True(() => readers.All(r => r.LastSeq == 10), Deadline, "every reader has the 10 comments");
            Assert.All(readers, r => Assert.Equal(seqs, r.Received.Select(c => c.Seq)));
            Assert.All(readers, r => Assert.Equal(0, r.DuplicatePushes));

            await leaver.Connection.InvokeAsync("LeaveThread", threadId);
            (await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seqs[^1]}", new { body = "comment 10, edited" })).EnsureSuccessStatusCode();
            await typist.Connection.InvokeAsync("Typing", threadId, seqs[0]);
            var eleventh = await author.PostCommentSeqAsync(threadId, 0, "after one left");
            var staying = readers.Skip(1).ToList();
            await Eventually.True(() => staying.All(r => r.LastSeq == eleventh && r.Updates.Count == 1 && r.Typing.Count == 1), Deadline,
                "every staying reader has the edit, the typing signal and the 11th comment");
            Assert.Equal(10, leaver.LastSeq);
            Assert.Empty(leaver.Updates);
        }
        finally
        {
            foreach (var r in readers) await r.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_sub_group_count_out_of_range_stops_the_web_node_at_start_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString,
            new Dictionary<string, string?> { ["Chat:Relay:SubGroups"] = "0" }));
        Assert.Contains("Chat:Relay:SubGroups", error.ToString());
    }
}
