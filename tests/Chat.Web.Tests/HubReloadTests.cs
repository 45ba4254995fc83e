using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// Chat:Pages:OldestProtocol: a node tells a page that connects with an older page protocol
/// (<c>?page=N</c>, none = 0, as pages of 0.1.0) to reload, and says nothing to a page it serves.
/// The page's side is Chat.Browser.Tests' PageReloadTests.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
[Trait(Lanes.Slow, "true")]
public sealed class HubReloadTests(WebFixture fixture)
{
    [Theory]
    [InlineData("", true)] // a page of 0.1.0 sends no protocol
    [InlineData("?page=0", true)]
    [InlineData("?page=1", false)]
    public async Task A_node_serving_pages_from_protocol_1_tells_only_older_pages_to_reload(string query, bool told)
    {
        await using var host = await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Chat:Pages:OldestProtocol"] = "1",
            ["Chat:Cluster:ServiceId"] = "reload-" + Guid.NewGuid().ToString("N")[..8],
        });
        var reloads = 0;
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, "/hubs/discussion" + query)).Build();
        connection.On(nameof(IDiscussionClient.Reload), () => Interlocked.Increment(ref reloads));
        await connection.StartAsync();
        // The hub says Reload as the connection opens, before it answers any call on it: once this
        // call has its answer, a Reload that was sent has arrived.
        await connection.InvokeAsync<object>("JoinFrontPage", "new");
        Assert.Equal(told ? 1 : 0, reloads);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData("one")]
    public async Task An_oldest_page_protocol_this_release_does_not_have_stops_the_start_naming_the_key(string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString,
            new Dictionary<string, string?> { ["Chat:Pages:OldestProtocol"] = value }));
        Assert.Contains("Chat:Pages:OldestProtocol", error.Message);
    }
}
