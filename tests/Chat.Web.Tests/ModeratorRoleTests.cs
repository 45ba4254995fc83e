using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Web.Tests;

/// <summary>On a fresh site of its own: the first account and configured names moderate; the dashboard is theirs only.</summary>
[Trait("Lane", Lanes.Storage)]
public sealed class ModeratorRoleTests : IAsyncLifetime
{
    private OwnSite _host = null!;

    public async Task InitializeAsync()
    {
        _host = await OwnSite.StartAsync(new Dictionary<string, string?> { ["Chat:Moderators:0"] = "Boss" });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static async Task<bool> IsModerator(ChatApiClient client) =>
        (await client.Http.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("moderator").GetBoolean();

    [Fact]
    public async Task The_first_account_and_configured_names_moderate_and_only_they_open_the_dashboard()
    {
        using var first = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        using var second = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        using var boss = await ChatApiClient.SignedUpAsync(_host.BaseAddress, "boss");
        using var anonymous = ChatApiClient.Anonymous(_host.BaseAddress);

        Assert.True(await IsModerator(first));
        Assert.False(await IsModerator(second));
        Assert.True(await IsModerator(boss));
        Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await boss.Http.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await second.Http.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/dashboard/")).StatusCode);
    }
}
