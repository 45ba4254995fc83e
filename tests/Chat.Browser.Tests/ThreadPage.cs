using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>What a person does on /t/{id}, and what tests wait for there (the page's documented ids).</summary>
public static class ThreadPage
{
    public static readonly LocatorAssertionsToBeVisibleOptions Within2s = new() { Timeout = 2000 };

    public static Task ExpectConnectedAsync(IPage page) =>
        Expect(page.Locator("body[data-connection=connected]")).ToBeVisibleAsync(new() { Timeout = 10_000 });

    /// <summary>Types into the top-level comment form and submits it, as a person would.</summary>
    public static async Task PostTopLevelAsync(IPage page, string text)
    {
        await page.Locator("#comment-text").FillAsync(text);
        await page.Locator("#comment-submit").ClickAsync();
        // Success clears the textarea; an error would stay in #comment-error.
        await Expect(page.Locator("#comment-text")).ToHaveValueAsync("", new() { Timeout = 5000 });
        await Expect(page.Locator("#comment-error")).ToBeEmptyAsync();
    }

    /// <summary>Opens the reply form under comment #c{seq}, types and submits.</summary>
    public static async Task ReplyAsync(IPage page, long parentSeq, string text)
    {
        var parent = page.Locator($"#c{parentSeq}");
        await parent.Locator(":scope > .comhead .reply-toggle").ClickAsync();
        var form = parent.Locator(":scope > .reply-area");
        await form.Locator(".reply-text").FillAsync(text);
        await form.Locator(".reply-submit").ClickAsync();
        await Expect(form).ToBeHiddenAsync(new() { Timeout = 5000 });
    }
}
