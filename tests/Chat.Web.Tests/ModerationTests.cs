using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Tests;

/// <summary>Moderators lock threads and hide comments, live on open pages; others are refused.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class ModerationTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Only_moderators_lock_threads_and_hide_comments_and_a_refusal_changes_nothing()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "an opinion");

        var lockByAuthor = await author.Http.PostAsync($"/api/threads/{threadId}/lock", null);
        var hideByAuthor = await author.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/hide", null);
        var lockByAnonymous = await anonymous.Http.PostAsync($"/api/threads/{threadId}/lock", null);
        var hideByAnonymous = await anonymous.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/hide", null);

        Assert.Equal(HttpStatusCode.Forbidden, lockByAuthor.StatusCode);
        Assert.Equal("Only moderators can lock threads and hide comments.", await DetailOf(lockByAuthor));
        Assert.Equal(HttpStatusCode.Forbidden, hideByAuthor.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, lockByAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, hideByAnonymous.StatusCode);
        Assert.False((await author.GetThreadAsync(threadId)).Locked);
        var comment = (await author.GetCommentsAsync(threadId)).Single();
        Assert.False(comment.Hidden);
        Assert.Equal("an opinion", comment.Body);
        Assert.Equal(2, await author.PostCommentSeqAsync(threadId, seq, "still open"));
    }

    [Fact]
    public async Task A_locked_thread_refuses_new_comments_open_pages_learn_it_live_and_unlocking_reopens_it()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "before the lock");
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        await using var authorConnection = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, author.Token);

        var locked = await Json(await moderator.Http.PostAsync($"/api/threads/{threadId}/lock", null));
        Assert.True(locked.GetProperty("locked").GetBoolean());
        await Eventually.True(() => reader.Locked == true, Deadline, "an open page learns of the lock");

        var overHttp = await author.PostCommentAsync(threadId, 0, "after the lock");
        var overHub = await Assert.ThrowsAsync<HubException>(() => authorConnection.PostAsync(seq, "a reply after the lock"));
        Assert.Equal(HttpStatusCode.Forbidden, overHttp.StatusCode);
        Assert.Equal("This thread is locked: it takes no new comments.", await DetailOf(overHttp));
        Assert.EndsWith("This thread is locked: it takes no new comments.", overHub.Message);
        Assert.True((await author.GetThreadAsync(threadId)).Locked);
        Assert.Single(await author.GetCommentsAsync(threadId));
        // Existing comments can still be edited.
        Assert.Equal(HttpStatusCode.OK, (await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "edited while locked" })).StatusCode);

        var unlocked = await Json(await moderator.Http.DeleteAsync($"/api/threads/{threadId}/lock"));
        Assert.False(unlocked.GetProperty("locked").GetBoolean());
        await Eventually.True(() => reader.Locked == false, Deadline, "an open page learns of the unlock");
        Assert.Equal(2, await author.PostCommentSeqAsync(threadId, 0, "after the unlock"));
    }

    [Fact]
    public async Task A_hidden_comment_is_pushed_blanked_to_open_pages_leaves_its_authors_page_and_replies_stay()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var replier = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "something rude");
        var reply = await replier.PostCommentSeqAsync(threadId, seq, "a fair answer");
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);

        var hidden = await Json(await moderator.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/hide", null));

        Assert.True(hidden.GetProperty("hidden").GetBoolean());
        Assert.Equal("", hidden.GetProperty("body").GetString());
        await Eventually.True(() => reader.Updates.Any(u => u.Seq == seq && u.Hidden && u.Body == "" && u.Author == ""), Deadline, "the open page gets the hide");
        var comments = await replier.GetCommentsAsync(threadId);
        Assert.True(comments[0].Hidden);
        Assert.DoesNotContain(comments, c => c.Body.Contains("rude"));
        Assert.Equal("a fair answer", comments.Single(c => c.Seq == reply).Body);
        var vote = await replier.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/vote", null);
        Assert.Equal(HttpStatusCode.Forbidden, vote.StatusCode);
        await Eventually.True(async () =>
        {
            var page = await Json(await replier.Http.GetAsync($"/api/users/{author.UserName}"));
            return page.GetProperty("recentComments").GetArrayLength() == 0;
        }, Deadline, "the hidden comment leaves its author's page");

        // A hidden reply leaves the inbox of the one it replied to.
        using var replied = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var target = await replied.PostCommentSeqAsync(threadId, 0, "an honest question");
        var insult = await replier.PostCommentSeqAsync(threadId, target, "a rude answer");
        await Eventually.True(async () => (await Json(await replied.Http.GetAsync("/api/inbox"))).GetProperty("items").EnumerateArray().Any(i => i.GetProperty("seq").GetInt64() == insult),
            Deadline, "the reply reaches the inbox");
        await Json(await moderator.Http.PostAsync($"/api/threads/{threadId}/comments/{insult}/hide", null));
        await Eventually.True(async () => !(await Json(await replied.Http.GetAsync("/api/inbox"))).GetProperty("items").EnumerateArray().Any(i => i.GetProperty("seq").GetInt64() == insult),
            Deadline, "the hidden reply leaves the inbox");

        var shown = await Json(await moderator.Http.DeleteAsync($"/api/threads/{threadId}/comments/{seq}/hide"));
        Assert.False(shown.GetProperty("hidden").GetBoolean());
        Assert.Equal("something rude", shown.GetProperty("body").GetString());
        var missing = await moderator.Http.PostAsync($"/api/threads/{threadId}/comments/999/hide", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
