using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Tests;

/// <summary>Posting comments over HTTP and the hub: who may post, what is refused, and a retry stored once.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class PostingTests(WebFixture fixture)
{
    [Fact]
    public async Task Anonymous_posting_is_refused_over_http_and_the_hub_and_nothing_is_stored()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);

        var http = await anonymous.PostCommentAsync(threadId, 0, "sneaky");
        var hub = await Assert.ThrowsAsync<HubException>(() => reader.PostAsync(0, "sneaky"));
        var thread = await anonymous.Http.PostAsJsonAsync("/api/threads", new { title = "sneaky" });

        Assert.Equal(HttpStatusCode.Unauthorized, http.StatusCode);
        Assert.Contains("Sign in", await DetailOf(http));
        Assert.Contains("unauthorized", hub.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, thread.StatusCode);
        Assert.Equal(0, (await anonymous.GetThreadAsync(threadId)).LastSeq);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task Empty_and_too_long_bodies_are_refused_with_a_clear_error_and_nothing_is_stored(int length)
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        await using var connection = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, user.Token);
        var body = new string('x', length);

        var http = await user.PostCommentAsync(threadId, 0, body);
        var hub = await Assert.ThrowsAsync<HubException>(() => connection.PostAsync(0, body));

        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        var expected = length == 0 ? "Comment is empty." : "Comment is too long: 10001 characters, at most 10000.";
        Assert.Equal(expected, await DetailOf(http));
        Assert.EndsWith(expected, hub.Message);
        Assert.Equal(0, (await user.GetThreadAsync(threadId)).LastSeq);
        Assert.Empty(await user.GetCommentsAsync(threadId));
    }

    [Fact]
    public async Task A_retried_post_with_the_same_client_id_is_stored_once_across_http_and_hub()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        await using var connection = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, user.Token);

        var first = await user.PostCommentSeqAsync(threadId, 0, "once", "retry-me");
        var again = await user.PostCommentSeqAsync(threadId, 0, "once", "retry-me");
        var viaHub = await connection.PostAsync(0, "once", "retry-me");

        Assert.Equal(first, again);
        Assert.Equal(first, viaHub);
        Assert.Single(await user.GetCommentsAsync(threadId));
    }

    [Fact]
    public async Task Replying_to_a_comment_that_does_not_exist_is_refused()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();

        var response = await user.PostCommentAsync(threadId, 5, "reply to nothing");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no comment 5", await DetailOf(response));
    }

    [Fact]
    public async Task Invalid_json_is_a_400_problem_not_a_crash()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();

        var response = await user.Http.PostAsync($"/api/threads/{threadId}/comments", new StringContent("{\"parentSeq\": \"x\"", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, (await user.GetThreadAsync(threadId)).LastSeq);
    }
}
