namespace Chat.Web.Tests;

/// <summary>
/// Chat:Limits:ConnectionsPerNode: a web node holds at most that many hub connections, from any
/// number of addresses; one more is refused with 503 (the client retries, perhaps through another
/// node), and a place that frees up is taken again. The limit is on /metrics for the alert.
/// </summary>
[Trait("Lane", Lanes.Storage)]
public sealed class NodeConnectionLimitTests : IAsyncLifetime
{
    private OwnSite _site = null!;

    public async Task InitializeAsync() =>
        _site = await OwnSite.StartAsync(new Dictionary<string, string?> { ["Chat:Limits:ConnectionsPerNode"] = "2" });

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_connection_beyond_the_node_limit_gets_503_and_a_freed_place_is_taken_again()
    {
        using var user = await ChatApiClient.SignedUpAsync(_site.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        var first = await ThreadReader.ConnectAsync(_site.BaseAddress, threadId);
        await using var second = await ThreadReader.ConnectAsync(_site.BaseAddress, threadId);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ThreadReader.ConnectAsync(_site.BaseAddress, threadId));
        Assert.Contains("503", refused.ToString());
        Assert.Equal(2, await PrometheusScrape.SumAsync(_site.BaseAddress, "chat_signalr_connection_limit"));
        // The API is not a hub connection: not limited.
        Assert.Equal(1, await user.PostCommentSeqAsync(threadId, 0, "the API still answers"));

        await first.DisposeAsync();
        ThreadReader? third = null;
        await Eventually.True(async () =>
        {
            try { third = await ThreadReader.ConnectAsync(_site.BaseAddress, threadId); return true; }
            catch (Exception ex) when (ex.ToString().Contains("503", StringComparison.Ordinal)) { return false; }
        }, TimeSpan.FromSeconds(10), "a reader connecting once the first has left");
        await third!.DisposeAsync();
    }

    [Fact]
    public async Task A_negative_limit_stops_the_host_at_start_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InProcessWebHost.StartAsync(_site.Azurite.ConnectionString, new Dictionary<string, string?> { ["Chat:Limits:ConnectionsPerNode"] = "-1" }));
        Assert.Contains("Chat:Limits:ConnectionsPerNode", error.ToString());
    }
}
