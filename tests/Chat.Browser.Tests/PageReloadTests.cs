using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// A page whose node no longer serves its page protocol (after an upgrade that raised
/// Chat:Pages:OldestProtocol) is told <c>Reload</c> when it reconnects, and reloads by itself,
/// keeping the reader's place. The node that says so is played here on the page's second hub
/// WebSocket (Playwright's WebSocket routing: it answers SignalR's handshake, then sends Reload);
/// the hub's own side is HubReloadTests.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class PageReloadTests(BrowserFixture fixture)
{
    private const char RecordSeparator = '\u001e';

    [Fact]
    public async Task A_page_told_to_reload_reloads_once_by_itself_and_keeps_the_comment_the_reader_was_at()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        for (var i = 1; i <= 60; i++) await author.PostCommentSeqAsync(threadId, 0, $"Filler comment {i}, long enough to take a line.");
        await using var reader = await fixture.SignedUpAsync();
        var sockets = new List<(Microsoft.Playwright.IWebSocketRoute Page, Microsoft.Playwright.IWebSocketRoute? Server)>();
        await reader.Context.RouteWebSocketAsync("**/hubs/discussion*", socket =>
        {
            lock (sockets)
            {
                if (sockets.Count == 1)
                {
                    // The second connection: a node that no longer serves this page.
                    socket.OnMessage(frame =>
                    {
                        if (frame.Text?.Contains("\"protocol\"") != true) return;
                        socket.Send("{}" + RecordSeparator);
                        socket.Send("{\"type\":1,\"target\":\"Reload\",\"arguments\":[]}" + RecordSeparator);
                    });
                    sockets.Add((socket, null));
                }
                else sockets.Add((socket, socket.ConnectToServer()));
            }
        });
        await reader.OpenThreadAsync(threadId);
        await Expect(reader.Page.Locator("#c60")).ToBeAttachedAsync();
        // The reader has scrolled down to comment 30.
        var topBefore = await reader.Page.EvaluateAsync<double>("() => { const c = document.getElementById('c30'); c.scrollIntoView(); return c.getBoundingClientRect().top; }");

        // Its node goes away: the connection drops and the page reconnects, to the node that says Reload.
        var (page, server) = sockets[0];
        await page.CloseAsync(new() { Code = 1011, Reason = "the node went away" });
        await server!.CloseAsync(new() { Code = 1011, Reason = "the node went away" });

        // Reloaded (a fresh document), connected to a node that serves it, and at comment 30 again.
        await reader.Page.WaitForFunctionAsync("() => performance.getEntriesByType('navigation')[0]?.type === 'reload'", null, new() { Timeout = 15_000 });
        await ThreadPage.ExpectConnectedAsync(reader.Page);
        try
        {
            await reader.Page.WaitForFunctionAsync($"() => Math.abs(document.getElementById('c30')?.getBoundingClientRect().top - {topBefore}) < 2", null, new() { Timeout = 5_000 });
        }
        catch (TimeoutException)
        {
            var now = await reader.Page.EvaluateAsync<string>("() => `its top ${document.getElementById('c30')?.getBoundingClientRect().top}, scrollY ${window.scrollY}, height ${document.body.scrollHeight}, saved ${sessionStorage.getItem('chat.reload.place')}`");
            Assert.Fail($"comment 30 was {topBefore} px from the top before the reload; after: {now}");
        }
        lock (sockets) Assert.Equal(3, sockets.Count); // one reload: the page did not come back for another

        // And it is live again.
        var next = await author.PostCommentSeqAsync(threadId, 0, "After the reload.");
        await Expect(reader.Page.Locator($"#c{next}")).ToBeAttachedAsync();
        reader.AssertNoScriptErrors();
    }
}
