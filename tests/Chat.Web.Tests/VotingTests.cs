using System.Net;
using System.Net.Http.Json;

namespace Chat.Web.Tests;

/// <summary>Votes over HTTP: once per user, never on your own, shown as points, karma and hot order.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class VotingTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Votes_over_http_count_once_per_user_and_show_as_points_karma_and_hot_order()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        // Liked first: hot must put it above the newer quiet one on its point alone.
        var liked = await author.CreateThreadAsync("liked");
        var quiet = await author.CreateThreadAsync("quiet");
        var seq = await author.PostCommentSeqAsync(liked, 0, "a good comment");

        Assert.Equal(1, (await Json(await voter.Http.PostAsync($"/api/threads/{liked}/votes", null))).GetProperty("points").GetInt64());
        Assert.Equal(1, (await Json(await voter.Http.PostAsync($"/api/threads/{liked}/votes", null))).GetProperty("points").GetInt64());
        Assert.Equal(1, (await Json(await voter.Http.PostAsync($"/api/threads/{liked}/comments/{seq}/vote", null))).GetProperty("points").GetInt64());
        Assert.Equal(0, (await Json(await voter.Http.DeleteAsync($"/api/threads/{liked}/comments/{seq}/vote"))).GetProperty("points").GetInt64());
        Assert.Equal(1, (await Json(await voter.Http.PostAsync($"/api/threads/{liked}/comments/{seq}/vote", null))).GetProperty("points").GetInt64());
        var own = await author.Http.PostAsync($"/api/threads/{liked}/votes", null);
        var missing = await voter.Http.PostAsync($"/api/threads/{liked}/comments/999/vote", null);

        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var mine = (await Json(await voter.Http.GetAsync($"/api/threads/{liked}/votes/mine"))).GetProperty("seqs").EnumerateArray().Select(e => e.GetInt64()).Order();
        Assert.Equal(new[] { 0L, seq }, mine);
        Assert.Empty((await Json(await author.Http.GetAsync($"/api/threads/{liked}/votes/mine"))).GetProperty("seqs").EnumerateArray());
        Assert.Equal(1, (await author.GetCommentsAsync(liked)).Single().Points);
        await Eventually.True(async () =>
        {
            var page = await Json(await author.Http.GetAsync($"/api/users/{author.UserName}"));
            return page.GetProperty("karma").GetInt64() == 2;
        }, Deadline, "the author's karma is 2 (one thread vote, one comment vote)");
        await Eventually.True(async () =>
        {
            var hot = (await author.Http.GetFromJsonAsync<ThreadSummary[]>("/api/threads?sort=hot&limit=500", ChatApiClient.Json))!;
            var likedRow = hot.FirstOrDefault(t => t.Id == liked);
            return likedRow is { Score: 1 } && Array.FindIndex(hot, t => t.Id == liked) < Array.FindIndex(hot, t => t.Id == quiet);
        }, Deadline, "the voted thread has 1 point and ranks above the newer quiet one in hot");
        var newest = (await author.Http.GetFromJsonAsync<ThreadSummary[]>("/api/threads?sort=new&limit=500", ChatApiClient.Json))!;
        Assert.True(Array.FindIndex(newest, t => t.Id == quiet) < Array.FindIndex(newest, t => t.Id == liked), "new: the later thread first");
    }
}
