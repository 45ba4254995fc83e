using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class MarkupInCommentTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Html_in_a_comment_is_shown_as_text_and_never_runs()
    {
        const string markup = "<img src=x onerror=alert(1)>";
        var (_, threadId) = await fixture.NewThreadAsync();
        await using var user = await fixture.SignedUpAsync();
        var dialogs = new List<string>();
        user.Page.Dialog += (_, dialog) => { dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
        await user.OpenThreadAsync(threadId);

        await ThreadPage.PostTopLevelAsync(user.Page, markup);

        var body = user.Page.Locator("#comments .comment .body");
        await Expect(body).ToBeVisibleAsync(ThreadPage.Within2s);
        await Expect(body).ToContainTextAsync(markup);
        Assert.Contains(markup, await body.TextContentAsync());
        await Expect(user.Page.Locator("#comments img")).ToHaveCountAsync(0);
        Assert.Empty(dialogs);

        // A fresh load renders it from the server's history the same way.
        await user.OpenThreadAsync(threadId);
        await Expect(body).ToContainTextAsync(markup);
        await Expect(user.Page.Locator("#comments img")).ToHaveCountAsync(0);
        Assert.Empty(dialogs);
        user.AssertNoScriptErrors();
    }
}
