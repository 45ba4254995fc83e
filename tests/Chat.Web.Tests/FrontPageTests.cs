using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>The front page: the thread list over HTTP and its live <c>FrontPage</c> pushes per sort.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class FrontPageTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Threads_are_listed_newest_first_with_comment_counts()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var older = await user.CreateThreadAsync("Older");
        var newer = await user.CreateThreadAsync("Newer", body: "some text");
        await user.PostCommentSeqAsync(older, 0, "one");
        await user.PostCommentSeqAsync(older, 1, "two");

        await Eventually.True(async () =>
        {
            var list = await user.Http.GetFromJsonAsync<ThreadSummary[]>("/api/threads?sort=new&limit=500", ChatApiClient.Json);
            var a = Array.FindIndex(list!, t => t.Id == newer);
            var b = Array.FindIndex(list!, t => t.Id == older);
            return a >= 0 && b > a && list![b].CommentCount == 2;
        }, TimeSpan.FromSeconds(15), "both threads listed, newer first, older with 2 comments");
    }

    [Fact]
    public async Task An_open_front_page_is_pushed_a_new_thread_and_its_changing_comment_count()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await using var reader = await fixture.ConnectToHubAsync(token: null);
        var pushes = new ConcurrentQueue<ThreadSummary[]>();
        reader.On<string, ThreadSummary[]>(nameof(IDiscussionClient.FrontPage), (sort, threads) => { if (sort == "new") pushes.Enqueue(threads); });
        var joined = await reader.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "new");
        var title = "Fresh on the front page " + Guid.NewGuid().ToString("N")[..6];
        Assert.DoesNotContain(joined, t => t.Title == title);

        var threadId = await author.CreateThreadAsync(title);

        await Eventually.True(() => pushes.Any(p => p.FirstOrDefault()?.Id == threadId), Deadline, "a push lists the new thread first");
        Assert.Equal(0, pushes.First(p => p.FirstOrDefault()?.Id == threadId)[0].CommentCount);

        await author.PostCommentSeqAsync(threadId, 0, "one");
        await author.PostCommentSeqAsync(threadId, 0, "two");

        await Eventually.True(() => pushes.Any(p => p.Any(t => t.Id == threadId && t.CommentCount == 2)), Deadline, "a push shows 2 comments");
        Assert.True(pushes.Last().Length <= 30);
    }

    [Fact]
    public async Task Only_readers_of_a_sort_get_its_pushes_and_bad_sorts_are_refused()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await using var hot = await fixture.ConnectToHubAsync(token: null);
        await using var left = await fixture.ConnectToHubAsync(token: null);
        var hotSorts = new ConcurrentQueue<string>();
        var leftSorts = new ConcurrentQueue<string>();
        hot.On<string, ThreadSummary[]>(nameof(IDiscussionClient.FrontPage), (sort, _) => hotSorts.Enqueue(sort));
        var hasLeft = false;
        // Pushes before leaving (other tests' threads change the list too) do not count.
        left.On<string, ThreadSummary[]>(nameof(IDiscussionClient.FrontPage), (sort, _) => { if (Volatile.Read(ref hasLeft)) leftSorts.Enqueue(sort); });
        await hot.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "hot");
        await left.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "new");
        await left.InvokeAsync("LeaveFrontPage");
        Volatile.Write(ref hasLeft, true);

        var bad = await Assert.ThrowsAsync<HubException>(() => hot.InvokeAsync<ThreadSummary[]>("JoinFrontPage", "best"));
        await author.CreateThreadAsync("Hot or not");

        Assert.Contains("sort must be 'hot' or 'new'", bad.Message);
        await Eventually.True(() => !hotSorts.IsEmpty, Deadline, "the hot reader gets a push");
        Assert.All(hotSorts, s => Assert.Equal("hot", s));
        Assert.Empty(leftSorts);
    }
}
