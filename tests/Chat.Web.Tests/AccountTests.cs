using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Web.Tests;

/// <summary>Registering and signing in: name and password rules, taken names, wrong passwords, bearer tokens.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class AccountTests(WebFixture fixture)
{
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
}
