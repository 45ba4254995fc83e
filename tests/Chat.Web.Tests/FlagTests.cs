using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>Readers' flags and the moderators' queue over the HTTP API and the hub; refusals change nothing.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class FlagTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static Task<HttpResponseMessage> FlagAsync(ChatApiClient client, string threadId, long seq, string? reason) =>
        client.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{seq}/flag", new { reason });

    private static async Task<JsonElement?> EntryAsync(ChatApiClient moderator, string threadId, long seq)
    {
        foreach (var e in (await Json(await moderator.Http.GetAsync("/api/mod/flags"))).EnumerateArray())
            if (e.GetProperty("threadId").GetString() == threadId && e.GetProperty("seq").GetInt64() == seq) return e;
        return null;
    }

    [Fact]
    public async Task Refused_flags_change_nothing_a_repeat_counts_once_and_only_moderators_see_the_queue()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var reader = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "flag target");

        Assert.Equal(HttpStatusCode.Unauthorized, (await FlagAsync(anonymous, threadId, seq, "spam")).StatusCode);
        var own = await FlagAsync(author, threadId, seq, "spam");
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal("You cannot flag your own comment.", await DetailOf(own));
        var badReason = await FlagAsync(reader, threadId, seq, "boring");
        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
        Assert.Equal("reason must be one of: spam, abuse, off-topic, other.", await DetailOf(badReason));
        Assert.Equal(HttpStatusCode.NotFound, (await FlagAsync(reader, threadId, seq + 1, "spam")).StatusCode);
        Assert.Null(await EntryAsync(moderator, threadId, seq));

        var first = await Json(await FlagAsync(reader, threadId, seq, "spam"));
        var repeat = await Json(await FlagAsync(reader, threadId, seq, "abuse"));
        Assert.False(first.GetProperty("alreadyFlagged").GetBoolean());
        Assert.True(repeat.GetProperty("alreadyFlagged").GetBoolean());
        Assert.Equal("spam", repeat.GetProperty("reason").GetString());
        var entry = (await EntryAsync(moderator, threadId, seq))!.Value;
        Assert.Equal(reader.UserName, entry.GetProperty("flags").EnumerateArray().Single().GetProperty("flagger").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Http.GetAsync("/api/mod/flags")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/api/mod/flags")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await author.Http.PostAsync($"/api/mod/flags/{threadId}/{seq}/hide", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await moderator.Http.PostAsync($"/api/mod/flags/{threadId}/{seq}/delete", null)).StatusCode);
        // To everyone but moderators flags are anonymous: nothing a reader can fetch names the flagger.
        var asReaderSees = await author.Http.GetStringAsync($"/api/threads/{threadId}/comments");
        Assert.DoesNotContain(reader.UserName!, asReaderSees);
        Assert.False((await author.GetCommentsAsync(threadId)).Single().Hidden);
    }

    [Fact]
    public async Task Three_flags_hide_the_comment_live_every_moderator_connection_hears_of_the_queue_and_restore_empties_it()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        using var second = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.SecondModeratorName);
        var threadId = await author.CreateThreadAsync("Flagged here");
        var seq = await author.PostCommentSeqAsync(threadId, 0, "rude words");
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        var versions = new ConcurrentBag<(int Moderator, long Version)>();
        await using var modHub1 = await fixture.ConnectToHubAsync(moderator.Token);
        await using var modHub2 = await fixture.ConnectToHubAsync(second.Token);
        modHub1.On<long>(nameof(IDiscussionClient.ModQueue), v => versions.Add((1, v)));
        modHub2.On<long>(nameof(IDiscussionClient.ModQueue), v => versions.Add((2, v)));
        await modHub1.InvokeAsync<JsonElement>("JoinModQueue");
        await modHub2.InvokeAsync<JsonElement>("JoinModQueue");
        await using var readerHub = await fixture.ConnectToHubAsync(author.Token);
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => readerHub.InvokeAsync<JsonElement>("JoinModQueue"));

        for (var i = 0; i < 3; i++)
        {
            using var flagger = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
            if (i < 2) await Json(await FlagAsync(flagger, threadId, seq, "abuse"));
            else
            {
                await using var hub = await fixture.ConnectToHubAsync(flagger.Token);
                await hub.InvokeAsync<JsonElement>("FlagComment", threadId, seq, "spam");
            }
        }

        await Eventually.True(() => reader.Updates.Any(u => u.Seq == seq && u.Hidden), Deadline, "an open page learns the comment is hidden");
        Assert.Equal("", (await author.GetCommentsAsync(threadId)).Single().Body);
        await Eventually.True(() => versions.Any(v => v.Moderator == 1) && versions.Any(v => v.Moderator == 2), Deadline, "both moderators hear the queue changed");
        var queued = await modHub2.InvokeAsync<FlaggedComment[]>("JoinModQueue");
        var entry = queued.Single(e => e.ThreadId == threadId && e.Seq == seq);
        Assert.Equal(("Flagged here", "rude words", true, 3), (entry.ThreadTitle, entry.Body, entry.HiddenByFlags, entry.Flags.Count));

        versions.Clear();
        Assert.Equal(HttpStatusCode.NoContent, (await moderator.Http.PostAsync($"/api/mod/flags/{threadId}/{seq}/restore", null)).StatusCode);

        await Eventually.True(() => reader.Updates.Any(u => u.Seq == seq && !u.Hidden && u.Body == "rude words"), Deadline, "the comment is back on open pages");
        await Eventually.True(() => versions.Any(v => v.Moderator == 1) && versions.Any(v => v.Moderator == 2), Deadline, "both moderators hear the entry went");
        Assert.Null(await EntryAsync(second, threadId, seq));
        Assert.Equal(HttpStatusCode.NotFound, (await second.Http.PostAsync($"/api/mod/flags/{threadId}/{seq}/hide", null)).StatusCode);
    }

    [Fact]
    public async Task A_mention_is_stored_on_the_comment_and_reaches_the_mentioned_users_inbox_live_as_a_mention()
    {
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await alice.CreateThreadAsync("Mentioning");
        await using var bobHub = await fixture.ConnectToHubAsync(bob.Token);
        var counts = new ConcurrentQueue<int>();
        bobHub.On<InboxCount>(nameof(IDiscussionClient.Inbox), c => counts.Enqueue(c.Unread));
        await bobHub.InvokeAsync<InboxCount>("JoinInbox");

        var seq = await alice.PostCommentSeqAsync(threadId, 0, $"what do you think, @{bob.UserName} and @nobody-{Guid.NewGuid().ToString("N")[..8]}?");

        Assert.Equal([bob.UserName!], (await alice.GetCommentsAsync(threadId)).Single().Mentions!);
        await Eventually.True(() => counts.Contains(1), Deadline, "bob's open page hears of 1 unread");
        var item = (await Json(await bob.Http.GetAsync("/api/inbox"))).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("mention", seq, alice.UserName), (item.GetProperty("kind").GetString(), item.GetProperty("seq").GetInt64(), item.GetProperty("author").GetString()));
    }
}
