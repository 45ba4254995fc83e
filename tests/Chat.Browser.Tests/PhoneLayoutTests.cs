using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>A phone-width screen: pages fit without sideways scrolling.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class PhoneLayoutTests(BrowserFixture fixture)
{
    [Fact]
    public async Task On_a_phone_width_screen_a_deep_thread_needs_no_sideways_scrolling()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A thread on a phone");
        using var other = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        long parent = 0;
        for (var depth = 0; depth < 8; depth++)
            parent = await (depth % 2 == 0 ? author : other).PostCommentSeqAsync(threadId, parent, $"Depth {depth}: a reply long enough to wrap on a narrow screen, with https://example.com/a/rather/long/link/that/must/wrap/too");
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString(), ViewportSize = new() { Width = 360, Height = 740 } });
        await using var _ = context;
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/t/{threadId}");
        await ThreadPage.ExpectConnectedAsync(page);
        await Expect(page.Locator("#comments .comment")).ToHaveCountAsync(8);

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Artifacts, "thread-page-phone.png"), FullPage = true });
    }
}
