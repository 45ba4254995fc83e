using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Tests;

/// <summary>Threads over HTTP and the hub: bad threads are refused, unknown and malformed ids are not found.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class ThreadTests(WebFixture fixture)
{
    [Fact]
    public async Task Unknown_and_malformed_thread_ids_are_not_found()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);

        var unknown = await user.Http.GetAsync($"/api/threads/{Limits.NewThreadId()}");
        var malformed = await user.Http.GetAsync("/api/threads/..%2F..%2Fetc");
        var postUnknown = await user.PostCommentAsync(Limits.NewThreadId(), 0, "hello");
        var joinError = await Assert.ThrowsAsync<HubException>(() => ThreadReader.ConnectAsync(fixture.BaseAddress, Limits.NewThreadId()));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("does not exist", await DetailOf(unknown));
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, postUnknown.StatusCode);
        Assert.Contains("does not exist", joinError.Message);
    }

    [Theory]
    [InlineData("", "Title is empty.")]
    [InlineData("javascript:alert(1)", "URL must be an absolute http:// or https:// address.")]
    public async Task Bad_threads_are_refused(string urlOrEmptyTitle, string expected)
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var body = urlOrEmptyTitle == "" ? (object)new { title = "" } : new { title = "ok", url = urlOrEmptyTitle };

        var response = await user.Http.PostAsJsonAsync("/api/threads", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(expected, await DetailOf(response));
    }
}
