using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>Collapsing a subtree: its count, live replies under it, and remembered on reload.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class CollapseTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Collapse_hides_the_subtree_with_its_count_and_is_remembered_on_reload()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var root = await author.PostCommentSeqAsync(threadId, 0, "Root of a subtree.");
        var child = await author.PostCommentSeqAsync(threadId, root, "Child.");
        await author.PostCommentSeqAsync(threadId, child, "Grandchild.");
        await author.PostCommentSeqAsync(threadId, root, "Second child.");
        var sibling = await author.PostCommentSeqAsync(threadId, 0, "Not in the subtree.");
        await using var person = await fixture.SignedUpAsync();
        await person.OpenThreadAsync(threadId);

        var toggle = person.Page.Locator($"#c{root} > .comhead .collapse-toggle");
        await Expect(toggle).ToHaveTextAsync("[-]");
        await toggle.FocusAsync();
        await person.Page.Keyboard.PressAsync("Enter");

        await Expect(toggle).ToHaveTextAsync("[+3]");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(person.Page.Locator($"#c{child}")).ToBeHiddenAsync();
        await Expect(person.Page.Locator($"#c{root} > .body")).ToBeHiddenAsync();
        await Expect(person.Page.Locator($"#c{sibling} > .body")).ToBeVisibleAsync();

        // A reply arriving under a collapsed comment raises its count and stays hidden.
        var late = await author.PostCommentSeqAsync(threadId, child, "Late reply.");
        await Expect(toggle).ToHaveTextAsync("[+4]", new() { Timeout = 5000 });
        await Expect(person.Page.Locator($"#c{late}")).ToBeHiddenAsync();

        await person.Page.ReloadAsync();
        await ThreadPage.ExpectConnectedAsync(person.Page);
        await Expect(toggle).ToHaveTextAsync("[+4]");
        await toggle.ClickAsync();
        await Expect(person.Page.Locator($"#c{late}")).ToBeVisibleAsync();
        person.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_collapsed_comment_without_replies_still_shows_it_is_collapsed_after_a_reload()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var lone = await author.PostCommentSeqAsync(threadId, 0, "A comment nobody answered.");
        await using var person = await fixture.SignedUpAsync();
        await person.OpenThreadAsync(threadId);

        var toggle = person.Page.Locator($"#c{lone} > .comhead .collapse-toggle");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveTextAsync("[+0]");

        await person.Page.ReloadAsync();
        await ThreadPage.ExpectConnectedAsync(person.Page);
        await Expect(toggle).ToHaveTextAsync("[+0]");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(person.Page.Locator($"#c{lone} > .body")).ToBeHiddenAsync();
        person.AssertNoScriptErrors();
    }
}
