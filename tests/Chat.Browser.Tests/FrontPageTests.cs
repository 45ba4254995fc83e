using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>The front page: new threads and comment counts pushed to an open page.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class FrontPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_open_front_page_shows_a_new_thread_and_its_comment_count_without_reload()
    {
        var context = await fixture.NewContextAsync();
        await using var _ = context;
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/?sort=new");
        await Expect(page.Locator("body[data-front-page=live]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        var (author, threadId) = await fixture.NewThreadAsync("Live on the front page " + Guid.NewGuid().ToString("N")[..6]);

        // Pushed at once (the 15 s re-read runs only while disconnected).
        var row = page.Locator($"#threads .thread-item[data-id='{threadId}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(page.Locator("#threads .thread-item").First).ToHaveAttributeAsync("data-id", threadId);
        await Expect(row.Locator(".comments-link")).ToHaveTextAsync("0 comments");
        // Keyboard focus on the row survives the redraws that follow.
        await row.Locator(".comments-link").FocusAsync();

        await author.PostCommentSeqAsync(threadId, 0, "first");
        await author.PostCommentSeqAsync(threadId, 0, "second");

        await Expect(row.Locator(".comments-link")).ToHaveTextAsync("2 comments", Within10s);
        await Expect(row.Locator(".comments-link")).ToBeFocusedAsync();
        Assert.Equal(0, navigations);
        Assert.Empty(errors);
    }
}
