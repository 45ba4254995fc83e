using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// Comments in "top", "new" and "old" order over HTTP and the hub: whole subtrees of top-level
/// comments in the order, replies ordered within each parent, and paging by the first page's order.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class CommentOrderTests(WebFixture fixture)
{
    /// <summary>
    /// a (0 points) with replies a1 (0) and a2 (2); b (2) with reply b1; c (1); d (1), posted after c.
    /// Returns the seqs by name.
    /// </summary>
    private async Task<(string ThreadId, Dictionary<string, long> Seq)> VotedThreadAsync()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter1 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter2 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await author.CreateThreadAsync("Ordered comments");
        var seq = new Dictionary<string, long>();
        seq["a"] = await author.PostCommentSeqAsync(threadId, 0, "a");
        seq["b"] = await author.PostCommentSeqAsync(threadId, 0, "b");
        seq["a1"] = await author.PostCommentSeqAsync(threadId, seq["a"], "a1");
        seq["c"] = await author.PostCommentSeqAsync(threadId, 0, "c");
        seq["a2"] = await author.PostCommentSeqAsync(threadId, seq["a"], "a2");
        seq["d"] = await author.PostCommentSeqAsync(threadId, 0, "d");
        seq["b1"] = await author.PostCommentSeqAsync(threadId, seq["b"], "b1");
        foreach (var voter in new[] { voter1, voter2 })
        {
            await voter.UpvoteAsync(threadId, seq["b"]);
            await voter.UpvoteAsync(threadId, seq["a2"]);
        }
        await voter1.UpvoteAsync(threadId, seq["c"]);
        await voter2.UpvoteAsync(threadId, seq["d"]);
        return (threadId, seq);
    }

    private static string[] Names(OrderedPage page) => [.. page.Comments.Select(c => c.Body)];

    [Fact]
    public async Task Top_orders_top_level_comments_by_points_older_first_on_a_tie_and_replies_by_points_within_their_parent()
    {
        var (threadId, seq) = await VotedThreadAsync();
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);

        var top = await reader.GetOrderedCommentsAsync(threadId, "top");

        Assert.Equal(["b", "b1", "c", "d", "a", "a2", "a1"], Names(top));
        Assert.Equal([seq["b"], seq["c"], seq["d"], seq["a"]], top.Roots);
        Assert.Equal(top.Roots, top.Served);
        Assert.Equal(seq["b1"], top.LastSeq);
        Assert.Equal(2, top.Comments.Single(c => c.Body == "a2").Points);
    }

    [Fact]
    public async Task New_is_newest_first_at_every_level_and_old_is_seq_order_by_subtree()
    {
        var (threadId, _) = await VotedThreadAsync();
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);

        Assert.Equal(["d", "c", "b", "b1", "a", "a2", "a1"], Names(await reader.GetOrderedCommentsAsync(threadId, "new")));
        Assert.Equal(["a", "a1", "a2", "b", "b1", "c", "d"], Names(await reader.GetOrderedCommentsAsync(threadId, "old")));
    }

    [Fact]
    public async Task Pages_hold_whole_subtrees_and_the_next_pages_follow_the_first_pages_order_while_votes_change_it()
    {
        var (threadId, seq) = await VotedThreadAsync();
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);
        using var lateVoter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);

        // Three comments: b's subtree (2) and c (1); d would make four.
        var first = await reader.GetOrderedCommentsAsync(threadId, "top", limit: 3);
        Assert.Equal(["b", "b1", "c"], Names(first));
        Assert.Equal([seq["b"], seq["c"]], first.Served);

        // d is now ahead of c by points; the reader pages on in the order it started with.
        await lateVoter.UpvoteAsync(threadId, seq["d"]);
        var rest = first.Roots.Skip(first.Served.Length).ToArray();
        var second = await reader.GetOrderedCommentsAsync(threadId, "top", rest, limit: 1);
        Assert.Equal(["d"], Names(second));
        Assert.Empty(second.Roots);
        // A subtree bigger than the page still comes whole: a page never splits one.
        var third = await reader.GetOrderedCommentsAsync(threadId, "top", rest.Skip(1), limit: 1);
        Assert.Equal(["a", "a2", "a1"], Names(third));
        Assert.Equal([seq["a"]], third.Served);
    }

    [Theory]
    [InlineData("sort=best", "sort must be 'top', 'new' or 'old'.")]
    [InlineData("sort=top&roots=1,x", "roots must be comment seqs separated by commas.")]
    [InlineData("sort=top&roots=-1", "roots must be comment seqs separated by commas.")]
    [InlineData("sort=top&limit=0", "limit must be 1 to 1000.")]
    public async Task Bad_orders_and_roots_are_refused(string query, string expected)
    {
        var (threadId, _) = await VotedThreadAsync();
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);

        var response = await reader.Http.GetAsync($"/api/threads/{threadId}/comments/ordered?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(expected, await DetailOf(response));
    }

    [Fact]
    public async Task The_hub_joins_with_the_first_page_in_the_order_and_then_pushes_new_comments()
    {
        var (threadId, _) = await VotedThreadAsync();
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(fixture.BaseAddress, "/hubs/discussion")).Build();
        var pushed = new TaskCompletionSource<Comment[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<string, Comment[]>(nameof(IDiscussionClient.Comments), (_, comments) => pushed.TrySetResult(comments));
        await hub.StartAsync();

        var joined = await hub.InvokeAsync<JsonElement>("JoinThreadOrdered", threadId, "top");
        var page = joined.GetProperty("page").Deserialize<OrderedPage>(ChatApiClient.Json)!;
        var bad = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("JoinThreadOrdered", threadId, "best"));

        Assert.Equal(["b", "b1", "c", "d", "a", "a2", "a1"], Names(page));
        Assert.Contains("sort must be 'top', 'new' or 'old'.", bad.Message);
        var seq = await poster.PostCommentSeqAsync(threadId, 0, "e");
        Assert.Contains(seq, (await pushed.Task.WaitAsync(TimeSpan.FromSeconds(10))).Select(c => c.Seq));
    }
}
