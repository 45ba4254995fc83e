using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>Editing and deleting comments over HTTP and the hub (with votes on the hub), pushed live as <c>Updates</c>; others are refused.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class EditAndDeleteTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Edit_and_delete_over_http_reach_another_reader_as_updates_and_others_are_refused()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var other = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "first draft");
        var reply = await other.PostCommentSeqAsync(threadId, seq, "a reply");
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);

        var notMine = await other.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "hijacked" });
        var notMineDelete = await other.Http.DeleteAsync($"/api/threads/{threadId}/comments/{seq}");
        var anonymous = await ChatApiClient.Anonymous(fixture.BaseAddress).Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "x" });
        var edited = await Json(await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "final words" }));

        Assert.Equal(HttpStatusCode.Forbidden, notMine.StatusCode);
        Assert.Equal("Only its author can edit a comment.", await DetailOf(notMine));
        Assert.Equal(HttpStatusCode.Forbidden, notMineDelete.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("final words", edited.GetProperty("body").GetString());
        Assert.NotEqual(JsonValueKind.Null, edited.GetProperty("editedAt").ValueKind);
        await Eventually.True(() => reader.Updates.Any(u => u.Seq == seq && u.Body == "final words" && u.EditedAt is not null), Deadline, "the reader gets the edit");

        var deleted = await Json(await author.Http.DeleteAsync($"/api/threads/{threadId}/comments/{seq}"));
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        await Eventually.True(() => reader.Updates.Any(u => u.Seq == seq && u.Deleted && u.Body == "" && u.Author == ""), Deadline, "the reader gets the delete");

        var comments = await other.GetCommentsAsync(threadId);
        Assert.Equal(new[] { seq, reply }, comments.Select(c => c.Seq));
        Assert.True(comments[0].Deleted);
        Assert.Equal("a reply", comments[1].Body);
        Assert.Equal(reply, reader.LastSeq); // updates do not move the seq sequence
    }

    [Fact]
    public async Task Edit_delete_and_vote_over_the_hub_push_updates_to_a_second_connection()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        await using var authorConnection = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, author.Token);
        await using var voterConnection = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, voter.Token);
        await using var second = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        var seq = await authorConnection.PostAsync(0, "vote on me");
        var doomed = await authorConnection.PostAsync(0, "delete me");

        var points = await voterConnection.Connection.InvokeAsync<JsonElement>("Vote", threadId, seq, true);
        var twice = await voterConnection.Connection.InvokeAsync<JsonElement>("Vote", threadId, seq, true);
        Assert.Equal(1, points.GetProperty("points").GetInt64());
        Assert.Equal(1, twice.GetProperty("points").GetInt64());
        await Eventually.True(() => second.Updates.Any(u => u.Seq == seq && u.Points == 1), Deadline, "the second connection sees 1 point");

        var own = await Assert.ThrowsAsync<HubException>(() => authorConnection.Connection.InvokeAsync<JsonElement>("Vote", threadId, seq, true));
        var foreignEdit = await Assert.ThrowsAsync<HubException>(() => voterConnection.Connection.InvokeAsync<Comment>("EditComment", threadId, seq, "mine"));
        var foreignDelete = await Assert.ThrowsAsync<HubException>(() => voterConnection.Connection.InvokeAsync<Comment>("DeleteComment", threadId, seq));
        var anonymousVote = await Assert.ThrowsAsync<HubException>(() => second.Connection.InvokeAsync<JsonElement>("Vote", threadId, seq, true));
        Assert.EndsWith("You cannot vote on your own comment.", own.Message);
        Assert.EndsWith("Only its author can edit a comment.", foreignEdit.Message);
        Assert.EndsWith("Only its author can delete a comment.", foreignDelete.Message);
        Assert.Contains("unauthorized", anonymousVote.Message);

        var edited = await authorConnection.Connection.InvokeAsync<Comment>("EditComment", threadId, seq, "vote on me, edited");
        await authorConnection.Connection.InvokeAsync<Comment>("DeleteComment", threadId, doomed);
        var undone = await voterConnection.Connection.InvokeAsync<JsonElement>("Vote", threadId, seq, false);

        Assert.Equal(1, edited.Points); // an edit keeps the points
        Assert.Equal(0, undone.GetProperty("points").GetInt64());
        await Eventually.True(() => second.Updates.Any(u => u.Seq == seq && u.Body == "vote on me, edited" && u.EditedAt is not null), Deadline, "edit pushed");
        await Eventually.True(() => second.Updates.Any(u => u.Seq == doomed && u.Deleted), Deadline, "delete pushed");
        await Eventually.True(() => second.Updates.LastOrDefault(u => u.Seq == seq)?.Points == 0, Deadline, "undo pushed");

        var threadVote = await voterConnection.Connection.InvokeAsync<JsonElement>("Vote", threadId, 0L, true);
        Assert.Equal(1, threadVote.GetProperty("points").GetInt64());
        await Eventually.True(() => second.ThreadPoints == 1, Deadline, "thread points pushed");
        Assert.Equal(1, (await author.GetThreadAsync(threadId)).Points);
    }
}
