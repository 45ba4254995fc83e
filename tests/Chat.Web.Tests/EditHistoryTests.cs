using System.Net;
using System.Net.Http.Json;

namespace Chat.Web.Tests;

/// <summary>A comment's edit history over HTTP: anyone reads a visible comment's; a deleted or hidden one's is for moderators.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class EditHistoryTests(WebFixture fixture)
{
    public sealed record Version(string Body, DateTimeOffset At);

    [Fact]
    public async Task The_history_lists_every_version_oldest_first_and_a_deleted_ones_only_for_moderators()
    {
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "first draft");
        (await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "second draft" })).EnsureSuccessStatusCode();
        (await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "final words" })).EnsureSuccessStatusCode();

        var history = (await anonymous.Http.GetFromJsonAsync<Version[]>($"/api/threads/{threadId}/comments/{seq}/history"))!;
        Assert.Equal(["first draft", "second draft", "final words"], history.Select(v => v.Body));
        Assert.True(history[0].At <= history[1].At && history[1].At <= history[2].At);

        var none = await anonymous.Http.GetAsync($"/api/threads/{threadId}/comments/99/history");
        var noThread = await anonymous.Http.GetAsync($"/api/threads/{Limits.NewThreadId()}/comments/1/history");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noThread.StatusCode);

        (await author.Http.DeleteAsync($"/api/threads/{threadId}/comments/{seq}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.Http.GetAsync($"/api/threads/{threadId}/comments/{seq}/history")).StatusCode);
        var afterDelete = await anonymous.Http.GetAsync($"/api/threads/{threadId}/comments/{seq}/history");
        Assert.True(afterDelete.StatusCode == HttpStatusCode.Forbidden, await afterDelete.Content.ReadAsStringAsync());
        var forModerator = await moderator.Http.GetFromJsonAsync<Version[]>($"/api/threads/{threadId}/comments/{seq}/history");
        Assert.Equal(["first draft", "second draft", ""], forModerator!.Select(v => v.Body));
    }
}
