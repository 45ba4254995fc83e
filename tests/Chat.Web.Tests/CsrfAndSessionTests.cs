using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Web.Tests;

[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class CsrfAndSessionTests(WebFixture fixture)
{
    [Fact]
    public async Task A_cookie_authenticated_change_without_the_csrf_header_is_refused_and_stores_nothing()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        user.Http.DefaultRequestHeaders.Remove("X-Chat-Request"); // what a forged cross-site request looks like

        var forged = await user.PostCommentAsync(threadId, 0, "forged");
        var forgedThread = await user.Http.PostAsJsonAsync("/api/threads", new { title = "forged" });
        var reading = await user.Http.GetAsync($"/api/threads/{threadId}");

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("X-Chat-Request", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, forgedThread.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reading.StatusCode); // reads need no header
        Assert.Equal(0, (await user.GetThreadAsync(threadId)).LastSeq);
    }

    [Fact]
    public async Task A_bearer_client_needs_no_csrf_header()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        using var bot = new HttpClient { BaseAddress = fixture.BaseAddress };
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);

        var posted = await bot.PostAsJsonAsync($"/api/threads/{threadId}/comments", new { parentSeq = 0, body = "from a bot", clientId = "bot-1" });

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
    }

    [Fact]
    public async Task The_auth_cookie_is_http_only_and_same_site()
    {
        using var client = ChatApiClient.Anonymous(fixture.BaseAddress);

        var response = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName = "c" + Guid.NewGuid().ToString("N")[..8], password = "long enough pw" });

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("chat.auth="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_session_from_one_web_node_works_on_another()
    {
        // Another web node of the same site (same storage; its own silo): what lets it read the
        // first node's cookies and tokens is the data-protection key ring shared through storage.
        await using var other = await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString);
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bot = new HttpClient { BaseAddress = other.BaseAddress };
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        var cookieJar = new CookieContainer();
        foreach (Cookie c in user.Cookies.GetCookies(fixture.BaseAddress)) cookieJar.Add(other.BaseAddress, new Cookie(c.Name, c.Value));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookieJar }) { BaseAddress = other.BaseAddress };

        var viaToken = await bot.GetFromJsonAsync<JsonElement>("/api/me");
        var viaCookie = await browser.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(user.UserName, viaToken.GetProperty("userName").GetString());
        Assert.Equal(user.UserName, viaCookie.GetProperty("userName").GetString());
    }

}
