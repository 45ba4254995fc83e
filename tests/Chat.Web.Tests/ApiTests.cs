using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class ApiTests(WebFixture fixture)
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
    public async Task Registration_validates_names_and_passwords_and_refuses_a_taken_name()
    {
        using var client = ChatApiClient.Anonymous(fixture.BaseAddress);
        var name = "n" + Guid.NewGuid().ToString("N")[..8];

        var badName = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName = "<script>", password = "long enough pw" });
        var shortPassword = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName = name, password = "short" });
        var ok = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName = name.ToUpperInvariant(), password = "long enough pw" });
        var taken = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName = name, password = "another long pw" });
        var me = await client.Http.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("User name must be", await DetailOf(badName));
        Assert.Equal(HttpStatusCode.BadRequest, shortPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(name, me.GetProperty("userName").GetString()); // names are case-insensitive
    }

    [Fact]
    public async Task Login_refuses_a_wrong_password_and_its_token_works_as_a_bearer_token()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bot = new HttpClient { BaseAddress = fixture.BaseAddress };

        var wrong = await bot.PostAsJsonAsync("/api/auth/login", new { userName = user.UserName, password = "not the password" });
        var anonymousMe = await bot.GetAsync("/api/me");
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        var me = await bot.GetFromJsonAsync<JsonElement>("/api/me");
        var created = await bot.PostAsJsonAsync("/api/threads", new { title = "From a bot", url = "https://example.org/" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Wrong user name or password.", await DetailOf(wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousMe.StatusCode);
        Assert.Equal(user.UserName, me.GetProperty("userName").GetString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Threads_are_listed_newest_first_with_comment_counts()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var older = await user.CreateThreadAsync("Older");
        var newer = await user.CreateThreadAsync("Newer", body: "some text");
        await user.PostCommentSeqAsync(older, 0, "one");
        await user.PostCommentSeqAsync(older, 1, "two");

        await Eventually.True(async () =>
        {
            var list = await user.Http.GetFromJsonAsync<ThreadSummary[]>("/api/threads?sort=new&limit=500", ChatApiClient.Json);
            var a = Array.FindIndex(list!, t => t.Id == newer);
            var b = Array.FindIndex(list!, t => t.Id == older);
            return a >= 0 && b > a && list![b].CommentCount == 2;
        }, TimeSpan.FromSeconds(15), "both threads listed, newer first, older with 2 comments");
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

    [Fact]
    public async Task Invalid_json_is_a_400_problem_not_a_crash()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();

        var response = await user.Http.PostAsync($"/api/threads/{threadId}/comments", new StringContent("{\"parentSeq\": \"x\"", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, (await user.GetThreadAsync(threadId)).LastSeq);
    }

    [Fact]
    public async Task Health_and_metrics_answer()
    {
        using var client = ChatApiClient.Anonymous(fixture.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/ready")).StatusCode);
        var metrics = await client.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE", metrics);
    }
}
