using System.Globalization;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// The thread page with the keyboard only (Tab, Shift+Tab, Enter, Space and typing; no mouse, no
/// focusing by script): a signed-in reader reads, replies, votes, collapses and expands, and
/// switches the order of the comments.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class KeyboardTests(BrowserFixture fixture)
{
    private const int MaxPresses = 150;

    [Fact]
    public async Task A_signed_in_reader_reads_replies_votes_collapses_and_changes_the_order_with_the_keyboard_alone()
    {
        var (author, threadId) = await fixture.NewThreadAsync("Read me with the keyboard");
        var first = await author.PostCommentSeqAsync(threadId, 0, "The first comment.");
        var reply = await author.PostCommentSeqAsync(threadId, first, "A reply to the first.");
        var second = await author.PostCommentSeqAsync(threadId, 0, "The second comment.");
        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        await reader.OpenThreadAsync(threadId);

        // Reading: Tab walks the comments in the order they are shown, each one's controls together.
        await TabToAsync(page, $"#c{first} > .comhead .permalink");
        await TabToAsync(page, $"#c{reply} > .comhead .permalink");
        await TabToAsync(page, $"#c{second} > .comhead .permalink");

        // Voting: back up with Shift+Tab to the second comment's arrow, and press Space.
        await TabToAsync(page, $"#c{second} > .comhead .vote", backwards: true);
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator($"#c{second} > .comhead .points")).ToHaveTextAsync("1 point", Waits.Within10s);
        await Expect(page.Locator($"#c{second} > .comhead .vote")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator($"#c{second} > .comhead .vote")).ToBeFocusedAsync();

        // Replying: Enter on "reply" opens the form with the cursor in it; Tab to "reply" and Enter sends.
        await TabToAsync(page, $"#c{first} > .comhead .reply-toggle", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator($"#c{first} > .reply-area .reply-text")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Typed without a mouse.");
        await TabToAsync(page, $"#c{first} > .reply-area .reply-submit");
        await page.Keyboard.PressAsync("Enter");
        var mine = page.Locator($"#c{first} > .children > .comment", new() { HasTextString = "Typed without a mouse." });
        await Expect(mine).ToBeVisibleAsync(Waits.Within5s);
        // The form closes and gives the focus back to its "reply".
        await Expect(page.Locator($"#c{first} > .comhead .reply-toggle")).ToBeFocusedAsync();

        // Collapsing and expanding: "[-]" with Enter hides the replies, again shows them.
        await TabToAsync(page, $"#c{first} > .comhead .collapse-toggle", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator($"#c{first} > .comhead .collapse-toggle")).ToHaveTextAsync("[+2]");
        await Expect(page.Locator($"#c{reply}")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator($"#c{first} > .comhead .collapse-toggle")).ToHaveTextAsync("[-]");
        await Expect(page.Locator($"#c{reply}")).ToBeVisibleAsync();

        // The order: a link, so Enter follows it; the page opens in "new", the newest first.
        await TabToAsync(page, "#comment-order a[data-order=new]", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"\?sort=new$"));
        await ThreadPage.ExpectConnectedAsync(page);
        await Expect(page.Locator("#comments > .comment").First).ToHaveIdAsync($"c{second}");
        await Expect(page.Locator("#comment-order a[aria-current]")).ToHaveTextAsync("new");
        // And reading goes on in the new order: the second comment's controls come first.
        await TabToAsync(page, $"#c{second} > .comhead .permalink");
        await TabToAsync(page, $"#c{first} > .comhead .permalink");
        reader.AssertNoScriptErrors();
    }

    /// <summary>
    /// Presses Tab (or Shift+Tab) until the focus is on the element the selector names; fails if it
    /// is not reached within a page's worth of presses.
    /// </summary>
    private static async Task TabToAsync(IPage page, string selector, bool backwards = false)
    {
        for (var presses = 0; presses < MaxPresses; presses++)
        {
            if (await page.EvaluateAsync<bool>("s => !!document.activeElement && document.activeElement.matches(s)", selector)) return;
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
        }
        var focused = await page.EvaluateAsync<string>("() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing'");
        Assert.Fail($"{MaxPresses.ToString(CultureInfo.InvariantCulture)} presses of {(backwards ? "Shift+Tab" : "Tab")} did not reach {selector}; the focus is on {focused}");
    }
}
