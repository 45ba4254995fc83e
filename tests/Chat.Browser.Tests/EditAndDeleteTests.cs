using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>Edit and delete of one's own comment: live on another page, replies kept, the count follows.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class EditAndDeleteTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Edit_and_delete_of_own_comment_show_live_on_another_page_and_replies_stay()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var author = people[0];
        await using var reader = people[1];
        await Task.WhenAll(author.OpenThreadAsync(threadId), reader.OpenThreadAsync(threadId));
        await ThreadPage.PostTopLevelAsync(author.Page, "First draft of my thought.");
        await Expect(reader.Page.Locator("#c1")).ToBeVisibleAsync(Within5s);
        await ThreadPage.ReplyAsync(reader.Page, 1, "A reply that must survive.");
        await Expect(author.Page.Locator("#c1 > .children > #c2")).ToBeVisibleAsync(Within5s);
        // Only one's own comments offer edit and delete.
        await Expect(reader.Page.Locator("#c1 > .comhead .edit-toggle")).ToHaveCountAsync(0);
        await Expect(author.Page.Locator("#c2 > .comhead .edit-toggle")).ToHaveCountAsync(0);

        await author.Page.Locator("#c1 > .comhead .edit-toggle").ClickAsync();
        await author.Page.Locator("#c1 > .edit-area .edit-text").FillAsync("Second, better draft.");
        await author.Page.Locator("#c1 > .edit-area .edit-submit").ClickAsync();

        await Expect(reader.Page.Locator("#c1 > .body")).ToHaveTextAsync("Second, better draft.", new() { Timeout = 5000 });
        await Expect(reader.Page.Locator("#c1 > .comhead .edited")).ToBeVisibleAsync(Within5s);
        await Expect(author.Page.Locator("#c1 > .edit-area")).ToBeHiddenAsync();

        await Expect(reader.Page.Locator("#comment-count")).ToHaveTextAsync("2 comments");
        var delete = author.Page.Locator("#c1 > .comhead .delete-button");
        await delete.ClickAsync();
        await Expect(delete).ToHaveTextAsync("really delete?");
        await delete.ClickAsync();

        foreach (var page in new[] { reader.Page, author.Page })
        {
            await Expect(page.Locator("#c1 > .comhead .author")).ToHaveTextAsync("[deleted]", new() { Timeout = 5000 });
            await Expect(page.Locator("#c1 > .body")).ToHaveTextAsync("[deleted]");
            await Expect(page.Locator("#c1 > .children > #c2 > .body")).ToHaveTextAsync("A reply that must survive.");
            await Expect(page.Locator("#comments")).Not.ToContainTextAsync("better draft");
            // The header counts what readers can see, on open pages and on a fresh load alike.
            await Expect(page.Locator("#comment-count")).ToHaveTextAsync("1 comment");
        }
        await reader.Page.ReloadAsync();
        await Expect(reader.Page.Locator("#comment-count")).ToHaveTextAsync("1 comment", new() { Timeout = 5000 });
        author.AssertNoScriptErrors();
        reader.AssertNoScriptErrors();
    }
}
