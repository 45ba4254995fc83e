using System.Net;

namespace Chat.Web.Tests;

/// <summary>A user's page: karma, when they joined, recent comments; unknown users are not found.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class UserPageTests(WebFixture fixture)
{
    [Fact]
    public async Task A_user_page_shows_karma_joined_and_recent_comments_and_unknown_users_are_404()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        var seq = await user.PostCommentSeqAsync(threadId, 0, "hello from my page");

        var page = await Json(await user.Http.GetAsync($"/api/users/{user.UserName!.ToUpperInvariant()}"));
        var unknown = await user.Http.GetAsync("/api/users/nobody-" + Guid.NewGuid().ToString("N")[..8]);
        var malformed = await user.Http.GetAsync("/api/users/x");

        Assert.Equal(user.UserName, page.GetProperty("userName").GetString());
        Assert.Equal(0, page.GetProperty("karma").GetInt64());
        Assert.NotEqual(default, page.GetProperty("joinedAt").GetDateTimeOffset());
        var recent = page.GetProperty("recentComments")[0];
        Assert.Equal(threadId, recent.GetProperty("threadId").GetString());
        Assert.Equal(seq, recent.GetProperty("seq").GetInt64());
        Assert.False(page.TryGetProperty("passwordHash", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
    }
}
