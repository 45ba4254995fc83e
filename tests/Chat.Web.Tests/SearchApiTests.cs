using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Web.Tests;

/// <summary>GET /api/search on a real host: the answer's shape, refusals, filters, paging, and what readers may not see.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class SearchApiTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static string NewWord() => "zq" + Guid.NewGuid().ToString("N")[..12];

    private async Task<JsonElement> SearchAsync(HttpClient http, string query)
    {
        var response = await http.GetAsync("/api/search?" + query);
        return await Json(response);
    }

    private async Task<JsonElement> FoundAsync(HttpClient http, string query, int count)
    {
        JsonElement result = default;
        await Eventually.True(async () => (result = await SearchAsync(http, query)).GetProperty("hits").GetArrayLength() == count, Deadline, $"{count} hits for {query}");
        return result;
    }

    [Fact]
    public async Task An_anonymous_search_finds_a_posted_comment_in_the_documented_shape()
    {
        var word = NewWord();
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await poster.CreateThreadAsync("Search shape");
        var seq = await poster.PostCommentSeqAsync(threadId, 0, $"Hello {word}, again");
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };

        var result = await FoundAsync(anonymous, $"q={word}", 1);

        var hit = result.GetProperty("hits")[0];
        Assert.Equal(threadId, hit.GetProperty("threadId").GetString());
        Assert.Equal("Search shape", hit.GetProperty("threadTitle").GetString());
        Assert.Equal(seq, hit.GetProperty("seq").GetInt64());
        Assert.Equal(poster.UserName, hit.GetProperty("author").GetString());
        Assert.True(hit.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(0, hit.GetProperty("points").GetInt64());
        var snippet = hit.GetProperty("snippet");
        var text = snippet.GetProperty("text").GetString()!;
        var range = snippet.GetProperty("ranges")[0];
        Assert.Equal($"Hello {word}, again", text);
        Assert.Equal(word, text.Substring(range.GetProperty("start").GetInt32(), range.GetProperty("length").GetInt32()));
        Assert.Equal(1, result.GetProperty("total").GetInt64());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("cursor").ValueKind);
    }

    [Theory]
    [InlineData("", "q is empty")]
    [InlineData("q=", "q is empty")]
    [InlineData("q=%22unclosed", "is not closed")]
    [InlineData("q=site:example.com", "Unknown filter")]
    [InlineData("q=word+after:yesterday", "YYYY-MM-DD")]
    [InlineData("q=-only", "Nothing to search for")]
    [InlineData("q=word&sort=top", "sort must be")]
    [InlineData("q=word&limit=0", "limit must be")]
    [InlineData("q=word&limit=51", "limit must be")]
    [InlineData("q=word&cursor=bm90LWEtY3Vyc29y", "cursor is not one")]
    [InlineData("q=word&thread=NOT-AN-ID", "Thread id must be")]
    public async Task A_query_that_cannot_be_read_is_a_400_saying_why(string query, string reason)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };

        var response = await http.GetAsync("/api/search?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await DetailOf(response));
    }

    [Fact]
    public async Task Q_may_have_500_characters_and_not_501()
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        // Ten long words: within the 32 words a query may have.
        var five00 = string.Join(' ', Enumerable.Repeat(new string('w', 49), 10)) + "x";

        var ok = await http.GetAsync("/api/search?q=" + Uri.EscapeDataString(five00));
        var tooLong = await http.GetAsync("/api/search?q=" + Uri.EscapeDataString(five00 + "y"));

        Assert.Equal(500, five00.Length);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 500", await DetailOf(tooLong));
    }

    [Fact]
    public async Task Thread_and_author_filters_and_a_cursor_through_every_page()
    {
        var word = NewWord();
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var first = await alice.CreateThreadAsync("First");
        var second = await alice.CreateThreadAsync("Second");
        for (var i = 0; i < 3; i++) await alice.PostCommentSeqAsync(first, 0, $"{word} alice {i}");
        for (var i = 0; i < 2; i++) await bob.PostCommentSeqAsync(second, 0, $"{word} bob {i}");
        await FoundAsync(alice.Http, $"q={word}&limit=50", 5);

        var inFirst = await SearchAsync(alice.Http, $"q={word}&thread={first}");
        var byBob = await SearchAsync(alice.Http, $"q={word}&author={bob.UserName}");
        var seen = new List<(string, long)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await SearchAsync(alice.Http, $"q={word}&sort=new&limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.GetProperty("hits").EnumerateArray().Select(h => (h.GetProperty("threadId").GetString()!, h.GetProperty("seq").GetInt64())));
            cursor = page.GetProperty("cursor").GetString();
            pages++;
        } while (cursor is not null);

        Assert.All(inFirst.GetProperty("hits").EnumerateArray(), h => Assert.Equal(first, h.GetProperty("threadId").GetString()));
        Assert.Equal(3, inFirst.GetProperty("hits").GetArrayLength());
        Assert.Equal(2, byBob.GetProperty("hits").GetArrayLength());
        Assert.All(byBob.GetProperty("hits").EnumerateArray(), h => Assert.Equal(bob.UserName, h.GetProperty("author").GetString()));
        Assert.Equal(3, pages);
        Assert.Equal(5, seen.Distinct().Count());
        // Newest first: bob posted last.
        Assert.Equal(second, seen[0].Item1);
    }

    [Fact]
    public async Task A_deleted_or_hidden_comment_is_not_returned()
    {
        var (deletedWord, hiddenWord) = (NewWord(), NewWord());
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var threadId = await author.CreateThreadAsync("Gone");
        var deleted = await author.PostCommentSeqAsync(threadId, 0, $"regret {deletedWord}");
        var hidden = await author.PostCommentSeqAsync(threadId, 0, $"spam {hiddenWord}");
        await FoundAsync(author.Http, $"q={deletedWord}", 1);
        await FoundAsync(author.Http, $"q={hiddenWord}", 1);

        Assert.True((await author.Http.DeleteAsync($"/api/threads/{threadId}/comments/{deleted}")).IsSuccessStatusCode);
        Assert.True((await moderator.Http.PostAsync($"/api/threads/{threadId}/comments/{hidden}/hide", null)).IsSuccessStatusCode);

        Assert.Equal(0, (await SearchAsync(author.Http, $"q={deletedWord}")).GetProperty("hits").GetArrayLength());
        Assert.Equal(0, (await SearchAsync(author.Http, $"q={hiddenWord}")).GetProperty("hits").GetArrayLength());
    }

    [Fact]
    public async Task Only_a_moderator_rebuilds_the_index_and_sees_its_progress()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };
        // The moderator first: the first account registered on a site is a moderator.
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        using var reader = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/admin/search/reindex", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Http.PostAsync("/api/admin/search/reindex", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Http.GetAsync("/api/admin/search/reindex")).StatusCode);

        var started = await moderator.Http.PostAsync("/api/admin/search/reindex", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JsonElement status = default;
        await Eventually.True(async () =>
        {
            status = await moderator.Http.GetFromJsonAsync<JsonElement>("/api/admin/search/reindex");
            return !status.GetProperty("running").GetBoolean();
        }, TimeSpan.FromSeconds(60), "the rebuild finishes");
        Assert.Equal("done", status.GetProperty("state").GetString());
        Assert.Equal(status.GetProperty("threadsTotal").GetInt32(), status.GetProperty("threadsDone").GetInt32());
    }
}
