using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Web.Tests;

/// <summary>Mutes, quiet comments, follows and settings over HTTP: the refusals, privacy, and what reaches the inbox.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class ReaderControlsTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static async Task<JsonElement> InboxAsync(ChatApiClient user) => await user.Http.GetFromJsonAsync<JsonElement>("/api/inbox");

    [Fact]
    public async Task Every_control_needs_sign_in_and_refuses_what_is_not_yours_to_change()
    {
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        var threadId = await alice.CreateThreadAsync();
        var seq = await alice.PostCommentSeqAsync(threadId, 0, "Alice's comment.");

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Post, $"/api/users/{bob.UserName}/mute"), (HttpMethod.Delete, $"/api/users/{bob.UserName}/mute"),
            (HttpMethod.Post, $"/api/threads/{threadId}/follow"), (HttpMethod.Delete, $"/api/threads/{threadId}/follow"),
            (HttpMethod.Post, $"/api/threads/{threadId}/comments/{seq}/quiet"), (HttpMethod.Delete, $"/api/threads/{threadId}/comments/{seq}/quiet"),
            (HttpMethod.Get, "/api/me/mutes"), (HttpMethod.Get, "/api/me/follows"), (HttpMethod.Get, "/api/me/quiet"), (HttpMethod.Get, "/api/me/settings"),
        })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.SendAsync(new HttpRequestMessage(method, path))).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/quiet", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.PostAsync($"/api/threads/{threadId}/comments/99/quiet", null)).StatusCode);
        var self = await alice.Http.PostAsync($"/api/users/{alice.UserName}/mute", null);
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Equal("You cannot mute yourself.", await DetailOf(self));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.PostAsync("/api/users/nobody" + Guid.NewGuid().ToString("N")[..8] + "/mute", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.PostAsync("/api/users/no%20such/mute", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.PostAsync($"/api/threads/{Limits.NewThreadId()}/follow", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Http.PutAsJsonAsync("/api/me/settings", new { })).StatusCode);
    }

    [Fact]
    public async Task Mutes_are_private_and_a_muted_persons_reply_never_reaches_the_inbox()
    {
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var carol = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        (await alice.Http.PutAsJsonAsync("/api/me/settings", new { autoFollow = false })).EnsureSuccessStatusCode();
        var threadId = await alice.CreateThreadAsync();
        var seq = await alice.PostCommentSeqAsync(threadId, 0, "Alice's comment.");

        (await alice.Http.PostAsync($"/api/users/{bob.UserName!.ToUpperInvariant()}/mute", null)).EnsureSuccessStatusCode();
        Assert.Equal([bob.UserName], (await alice.Http.GetFromJsonAsync<string[]>("/api/me/mutes"))!);
        Assert.Empty((await bob.Http.GetFromJsonAsync<string[]>("/api/me/mutes"))!);
        Assert.DoesNotContain("mute", await (await bob.Http.GetAsync($"/api/users/{alice.UserName}")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        await bob.PostCommentSeqAsync(threadId, seq, "Bob's reply.");
        var marker = await carol.PostCommentSeqAsync(threadId, seq, "Carol's reply.");
        await Eventually.True(async () => (await InboxAsync(alice)).GetProperty("items").EnumerateArray().Any(i => i.GetProperty("seq").GetInt64() == marker), Deadline, "carol's reply arrives");
        Assert.Single((await InboxAsync(alice)).GetProperty("items").EnumerateArray());

        (await alice.Http.DeleteAsync($"/api/users/{bob.UserName}/mute")).EnsureSuccessStatusCode();
        Assert.Empty((await alice.Http.GetFromJsonAsync<string[]>("/api/me/mutes"))!);
    }

    [Fact]
    public async Task A_followed_thread_brings_one_counting_inbox_item_and_quiet_comments_are_listed()
    {
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var carol = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await alice.CreateThreadAsync("Followed over HTTP");
        var follow = await carol.Http.PostAsync($"/api/threads/{threadId}/follow", null);
        Assert.Equal(HttpStatusCode.OK, follow.StatusCode);
        var follows = await carol.Http.GetFromJsonAsync<JsonElement>("/api/me/follows");
        Assert.Equal(threadId, follows.EnumerateArray().Single().GetProperty("threadId").GetString());

        var first = await alice.PostCommentSeqAsync(threadId, 0, "One.");
        await alice.PostCommentSeqAsync(threadId, 0, "Two.");
        await Eventually.True(async () => (await InboxAsync(carol)).GetProperty("items").EnumerateArray().Any(i => i.GetProperty("count").ValueKind == JsonValueKind.Number && i.GetProperty("count").GetInt32() == 2),
            Deadline, "carol's followed item counts 2");
        var item = (await InboxAsync(carol)).GetProperty("items").EnumerateArray().Single();
        Assert.Equal("followed", item.GetProperty("kind").GetString());
        Assert.Equal($"/t/{threadId}#c{first}", item.GetProperty("link").GetString());

        (await alice.Http.PostAsync($"/api/threads/{threadId}/comments/{first}/quiet", null)).EnsureSuccessStatusCode();
        var quiet = await alice.Http.GetFromJsonAsync<JsonElement>("/api/me/quiet");
        Assert.Equal(first, quiet.EnumerateArray().Single().GetProperty("seq").GetInt64());
        Assert.True((await alice.Http.GetFromJsonAsync<JsonElement>("/api/me/settings")).GetProperty("autoFollow").GetBoolean());

        (await carol.Http.DeleteAsync($"/api/threads/{threadId}/follow")).EnsureSuccessStatusCode();
        Assert.Empty((await carol.Http.GetFromJsonAsync<JsonElement>("/api/me/follows")).EnumerateArray());
    }

    [Fact]
    public async Task Muting_a_moderator_hides_nothing_of_their_moderation()
    {
        using var reader = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var author = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Something a moderator will hide.");

        (await reader.Http.PostAsync($"/api/users/{TestSettings.ModeratorName}/mute", null)).EnsureSuccessStatusCode();
        (await moderator.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/hide", null)).EnsureSuccessStatusCode();

        Assert.True((await reader.GetCommentsAsync(threadId)).Single().Hidden);
        Assert.Contains(TestSettings.ModeratorName, (await reader.Http.GetFromJsonAsync<string[]>("/api/me/mutes"))!);
    }

    private static async Task<string?> DetailOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
}
