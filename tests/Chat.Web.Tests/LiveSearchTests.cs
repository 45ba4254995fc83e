using System.Collections.Concurrent;
using Chat.Contracts.Search;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// A search kept open over the hub (JoinSearch): a matching comment posted by someone else arrives
/// as SearchMatches with its word marked; one that does not match never does; a comment hidden by a
/// moderator is taken back (SearchWithdrawn); and a node holding Chat:Relay:StandingQueriesPerNode
/// of them refuses one more with a message saying so, while a page changing its own query is not refused.
/// </summary>
[Trait("Lane", Lanes.Storage)]
public sealed class LiveSearchTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private OwnSite _site = null!;

    public async Task InitializeAsync() =>
        _site = await OwnSite.StartAsync(new Dictionary<string, string?> { ["Chat:Relay:StandingQueriesPerNode"] = "2" });

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private static string NewWord() => "zq" + Guid.NewGuid().ToString("N")[..12];

    private sealed class SearchPage(HubConnection connection) : IAsyncDisposable
    {
        public HubConnection Connection => connection;
        public ConcurrentQueue<SearchHit> Hits { get; } = new();
        public ConcurrentQueue<(string ThreadId, long Seq)> Withdrawn { get; } = new();

        public static async Task<SearchPage> OpenAsync(Uri site, string q, string? thread = null, string? author = null)
        {
            var page = new SearchPage(await WebFixture.ConnectToHubAsync(site, null));
            page.Connection.On<SearchHit[]>("SearchMatches", hits => { foreach (var h in hits) page.Hits.Enqueue(h); });
            page.Connection.On<string, long>("SearchWithdrawn", (t, s) => page.Withdrawn.Enqueue((t, s)));
            try
            {
                await page.Connection.InvokeAsync("JoinSearch", q, thread, author);
                return page;
            }
            catch
            {
                await page.DisposeAsync();
                throw;
            }
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    [Fact]
    public async Task A_matching_comment_by_someone_else_arrives_marked_a_non_matching_one_never_and_a_hidden_one_is_taken_back()
    {
        var word = NewWord();
        using var poster = await ChatApiClient.SignedUpAsync(_site.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(_site.BaseAddress, TestSettings.ModeratorName);
        var threadId = await poster.CreateThreadAsync("Live search");
        await using var page = await SearchPage.OpenAsync(_site.BaseAddress, $"{word} -excluded", author: poster.UserName);

        // In one thread, so one shard matches them in order: the non-matching ones come first.
        await poster.PostCommentSeqAsync(threadId, 0, "nothing to see");
        await poster.PostCommentSeqAsync(threadId, 0, $"{word} but excluded");
        var seq = await poster.PostCommentSeqAsync(threadId, 0, $"Here is {word} at last");

        await Eventually.True(() => !page.Hits.IsEmpty, Deadline, "the matching comment reaches the open search");
        var hit = Assert.Single(page.Hits);
        Assert.Equal((threadId, seq, "Live search", poster.UserName), (hit.ThreadId, hit.Seq, hit.ThreadTitle, hit.Author));
        Assert.Equal($"Here is {word} at last", hit.Snippet.Text);
        var range = Assert.Single(hit.Snippet.Ranges);
        Assert.Equal(word, hit.Snippet.Text.Substring(range.Start, range.Length));

        await Json(await moderator.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/hide", null));
        await Eventually.True(() => page.Withdrawn.Contains((threadId, seq)), Deadline, "the hidden comment is taken back");
        // A comment by someone else than author: is no match either; a later match still arrives.
        using var other = await ChatApiClient.SignedUpAsync(_site.BaseAddress);
        await other.PostCommentSeqAsync(threadId, 0, $"{word} from another author");
        var later = await poster.PostCommentSeqAsync(threadId, 0, $"{word} again");
        await Eventually.True(() => page.Hits.Count == 2, Deadline, "the later match arrives");
        Assert.Equal([seq, later], page.Hits.Select(h => h.Seq));
    }

    [Fact]
    public async Task One_standing_query_beyond_the_node_bound_is_refused_saying_why_and_a_page_may_change_its_own()
    {
        await using var first = await SearchPage.OpenAsync(_site.BaseAddress, NewWord());
        await using var second = await SearchPage.OpenAsync(_site.BaseAddress, NewWord());

        var refused = await Assert.ThrowsAsync<HubException>(() => SearchPage.OpenAsync(_site.BaseAddress, NewWord()));
        Assert.Contains("Too many live searches on this server (it holds at most 2)", refused.Message);
        await first.Connection.InvokeAsync("JoinSearch", NewWord(), null, null);
        var unreadable = await Assert.ThrowsAsync<HubException>(() => second.Connection.InvokeAsync("JoinSearch", "\"unclosed", null, null));
        Assert.Contains("is not closed", unreadable.Message);
        Assert.Equal(2, await PrometheusScrape.SumAsync(_site.BaseAddress, "chat_search_standing_queries"));

        await first.Connection.InvokeAsync("LeaveSearch");
        await using var third = await SearchPage.OpenAsync(_site.BaseAddress, NewWord());
    }
}
