using System.Net.Http.Json;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// A dropped connection, done from outside the page: Chromium's offline emulation does not cut a
/// WebSocket that is already open, so the hub's WebSocket goes through Playwright's WebSocket
/// routing (a transparent proxy) and the test closes it there, as a proxy or a flaky network would,
/// while the context is offline so that the page's reconnect attempts fail until it is back online.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class ReconnectTests(BrowserFixture fixture)
{
    [Fact]
    public async Task After_a_network_drop_the_page_shows_the_banner_then_catches_up_exactly_once()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var firstSeq = await author.PostCommentSeqAsync(threadId, 0, "Before the drop.");
        await using var b = await fixture.SignedUpAsync();
        // Both ends of every hub WebSocket the page opens: the page's and the server's.
        var sockets = new List<(IWebSocketRoute Page, IWebSocketRoute Server)>();
        await b.Context.RouteWebSocketAsync("**/hubs/discussion*", page =>
        {
            var server = page.ConnectToServer();
            lock (sockets) sockets.Add((page, server));
        });
        await b.OpenThreadAsync(threadId);
        await Expect(b.Page.Locator($"#c{firstSeq}")).ToBeVisibleAsync();
        await Expect(b.Page.Locator("#connection-banner")).ToBeHiddenAsync();

        await b.Context.SetOfflineAsync(true);
        (IWebSocketRoute Page, IWebSocketRoute Server)[] open;
        lock (sockets) open = [.. sockets];
        Assert.NotEmpty(open);
        foreach (var (page, server) in open)
        {
            // Closing the server end alone is not forwarded to the page, so cut both ends.
            await page.CloseAsync(new() { Code = 1011, Reason = "connection dropped by the test" });
            await server.CloseAsync(new() { Code = 1011, Reason = "connection dropped by the test" });
        }

        await Expect(b.Page.Locator("#connection-banner")).ToBeVisibleAsync(new() { Timeout = 5000 });
        await Expect(b.Page.Locator("body")).Not.ToHaveAttributeAsync("data-connection", "connected");

        var missedSeq = await author.PostCommentSeqAsync(threadId, 0, "Posted while the page was offline.");
        // Changes to a comment the page already shows are not in the re-join's result: re-read.
        (await author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{firstSeq}", new { body = "Before the drop, edited while the page was offline." })).EnsureSuccessStatusCode();
        await Expect(b.Page.Locator($"#c{missedSeq}")).ToHaveCountAsync(0);

        await b.Context.SetOfflineAsync(false);
        await ThreadPage.ExpectConnectedAsync(b.Page);
        await Expect(b.Page.Locator("#connection-banner")).ToBeHiddenAsync();
        await Expect(b.Page.Locator($"#c{missedSeq}")).ToBeVisibleAsync();
        await Expect(b.Page.Locator($"#c{missedSeq}")).ToHaveCountAsync(1);
        await Expect(b.Page.Locator("#comments .comment")).ToHaveCountAsync(2);
        await Expect(b.Page.Locator("body")).ToHaveAttributeAsync("data-last-seq", missedSeq.ToString());
        await Expect(b.Page.Locator($"#c{firstSeq} > .body")).ToHaveTextAsync("Before the drop, edited while the page was offline.");
        await Expect(b.Page.Locator($"#c{firstSeq} > .comhead .edited")).ToBeVisibleAsync();
        b.AssertNoScriptErrors();
    }
}
