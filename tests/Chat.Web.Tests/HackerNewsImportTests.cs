using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Chat.Web.Tests.Importing;

namespace Chat.Web.Tests;

/// <summary>
/// Importing Hacker News stories (JSON items): the tree, authors, bodies and times; imported authors own nothing; a grown story adds only its new comments.
/// </summary>
[Collection(ImportCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class HackerNewsImportTests(ImportSite fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_hacker_news_story_comes_in_with_its_tree_authors_bodies_and_times_and_a_second_run_adds_nothing()
    {
        var storyId = NewStoryId();
        var json = HnJson(Story(storyId));

        var first = await Json(await ImportAsync(fixture.Moderator, "hn", json));

        var threadId = $"hn{storyId:D10}";
        Assert.Equal(threadId, first.GetProperty("threadId").GetString());
        AssertCounts(first, imported: 5, already: 0, skipped: 2, total: 7);
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);
        var thread = await reader.GetThreadAsync(threadId);
        Assert.Equal("Show HN: an imported discussion", thread.Title);
        Assert.Equal("https://example.com/show", thread.Url);
        Assert.Equal("pg@hn", thread.Author);

        var comments = await reader.GetCommentsAsync(threadId);
        // Breadth first: both top-level comments, then their replies, then the third level.
        Assert.Equal(new[] { "alice@hn", "erin@hn", "bob@hn", "dave@hn", "carol@hn" }, comments.Select(c => c.Author));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, comments.Select(c => c.Seq));
        var by = comments.ToDictionary(c => c.Author);
        Assert.Equal(0, by["alice@hn"].ParentSeq);
        Assert.Equal(0, by["erin@hn"].ParentSeq);
        Assert.Equal(by["alice@hn"].Seq, by["bob@hn"].ParentSeq);
        Assert.Equal(by["bob@hn"].Seq, by["carol@hn"].ParentSeq);
        Assert.Equal(by["alice@hn"].Seq, by["dave@hn"].ParentSeq); // the deleted parent's reply moves up to its grandparent
        Assert.Equal("It's a great point.\n\nSee https://example.com/a?b=1&c=2", by["alice@hn"].Body);
        Assert.Equal("> great point\n\nI disagree & here's why.", by["bob@hn"].Body);
        Assert.Equal("Third level.", by["carol@hn"].Body);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 60), by["alice@hn"].CreatedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 180), by["carol@hn"].CreatedAt);
        Assert.DoesNotContain(comments, c => c.Body.Contains("buy now"));

        var second = await Json(await ImportAsync(fixture.Moderator, "hn", json));

        AssertCounts(second, imported: 0, already: 5, skipped: 2, total: 7);
        Assert.Equal(comments, await reader.GetCommentsAsync(threadId));
        Assert.Equal(5, (await reader.GetThreadAsync(threadId)).LastSeq);
    }

    [Fact]
    public async Task An_imported_author_is_a_display_name_that_no_account_can_edit_delete_or_collect_karma_for()
    {
        using var namesake = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var storyId = NewStoryId();
        var threadId = (await Json(await ImportAsync(fixture.Moderator, "hn", HnJson(Story(storyId, by: namesake.UserName!, commentAuthor: namesake.UserName!)))))
            .GetProperty("threadId").GetString()!;
        var imported = (await namesake.GetCommentsAsync(threadId)).Single(c => c.Author == namesake.UserName + "@hn");

        var edit = await namesake.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{imported.Seq}", new { body = "hijacked" });
        var delete = await namesake.Http.DeleteAsync($"/api/threads/{threadId}/comments/{imported.Seq}");
        var commentVote = await voter.Http.PostAsync($"/api/threads/{threadId}/comments/{imported.Seq}/vote", null);
        var threadVote = await voter.Http.PostAsync($"/api/threads/{threadId}/votes", null);
        // Not their own comment, so the namesake may vote on it too.
        var namesakeVote = await namesake.Http.PostAsync($"/api/threads/{threadId}/comments/{imported.Seq}/vote", null);

        Assert.Equal(HttpStatusCode.Forbidden, edit.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(1, (await Json(commentVote)).GetProperty("points").GetInt64());
        Assert.Equal(1, (await Json(threadVote)).GetProperty("points").GetInt64());
        Assert.Equal(2, (await Json(namesakeVote)).GetProperty("points").GetInt64());
        Assert.Equal("Third level.", (await namesake.GetCommentsAsync(threadId)).Single(c => c.Seq == imported.Seq).Body);

        // A vote on the namesake's own comment does reach their karma: once it shows, nothing else has.
        var own = await namesake.PostCommentSeqAsync(threadId, 0, "my own words");
        await Json(await voter.Http.PostAsync($"/api/threads/{threadId}/comments/{own}/vote", null));
        async Task<long> Karma() => (await voter.Http.GetFromJsonAsync<JsonElement>($"/api/users/{namesake.UserName}")).GetProperty("karma").GetInt64();
        await Eventually.True(async () => await Karma() >= 1, Deadline, "the vote on the namesake's own comment counts");
        Assert.Equal(1, await Karma());
    }

    [Fact]
    public async Task Importing_a_story_that_grew_adds_only_the_new_comments_and_open_pages_get_them_live()
    {
        var storyId = NewStoryId();
        object Comment(long id, string by, string text, params object[] kids) => new { id, type = "comment", by, time = T0 + id - storyId, text, kids };
        var before = new { id = storyId, type = "story", by = "pg", title = "A growing story", time = T0, kids = new[] { Comment(storyId + 1, "alice", "first"), Comment(storyId + 2, "bob", "second") } };
        var after = new
        {
            id = storyId, type = "story", by = "pg", title = "A growing story", time = T0,
            kids = new[] { Comment(storyId + 1, "alice", "first", Comment(storyId + 3, "carol", "a late reply")), Comment(storyId + 2, "bob", "second"), Comment(storyId + 4, "dave", "a late top-level comment") },
        };
        var threadId = (await Json(await ImportAsync(fixture.Moderator, "hn", HnJson(before)))).GetProperty("threadId").GetString()!;
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        Assert.Equal(2, reader.LastSeq);

        var result = await Json(await ImportAsync(fixture.Moderator, "hn", HnJson(after)));

        AssertCounts(result, imported: 2, already: 2, skipped: 0, total: 4);
        await Eventually.True(() => reader.LastSeq == 4, Deadline, "the open page gets the two new comments");
        var received = reader.Received;
        Assert.Equal(new long[] { 1, 2, 3, 4 }, received.Select(c => c.Seq));
        Assert.Equal(("dave@hn", 0L), (received[2].Author, received[2].ParentSeq));
        Assert.Equal(("carol@hn", 1L), (received[3].Author, received[3].ParentSeq));
        Assert.Equal(0, reader.GapFetches);
    }
}
