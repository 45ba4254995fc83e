using System.Text.RegularExpressions;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>Permalinks: /t/{id}#c{seq} scrolls to and highlights its comment.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class PermalinkTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_permalink_scrolls_to_and_highlights_its_comment()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        for (var i = 1; i <= 60; i++) await author.PostCommentSeqAsync(threadId, 0, $"Filler comment {i}, long enough to take a line.");
        await using var person = await fixture.SignedUpAsync();

        await person.Page.GotoAsync($"/t/{threadId}#c55");
        await ThreadPage.ExpectConnectedAsync(person.Page);

        var target = person.Page.Locator("#c55");
        await Expect(target).ToHaveClassAsync(new Regex(@"\bhighlight\b"));
        await Expect(target).ToBeInViewportAsync();
        await Expect(person.Page.Locator(".comment.highlight")).ToHaveCountAsync(1);
        // The "link" of another comment moves the highlight there.
        await person.Page.Locator("#c3 > .comhead .permalink").ClickAsync();
        await Expect(person.Page.Locator("#c3")).ToHaveClassAsync(new Regex(@"\bhighlight\b"));
        await Expect(person.Page.Locator(".comment.highlight")).ToHaveCountAsync(1);
        person.AssertNoScriptErrors();
    }
}
