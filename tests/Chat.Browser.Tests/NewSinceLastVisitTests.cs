using Microsoft.Playwright;
using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// "New since your last visit", as a reader lives it: read a thread, leave, others post, come back:
/// "N new" on the front page, the new comments labelled, `n` and the "next new comment" button go
/// to them, reading (scrolling) moves the mark, and another device of the same reader sees it.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
[Trait(Lanes.Slow, "true")]
public sealed class NewSinceLastVisitTests(BrowserFixture fixture)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Saved = new() { Timeout = 15_000 };

    /// <summary>Waits until the page has told the server it read up to seq.</summary>
    private static Task ExpectMarkSavedAsync(IPage page, long seq) =>
        Expect(page.Locator("body")).ToHaveAttributeAsync("data-read-mark-saved", seq.ToString(), Saved);

    private static ILocator Row(IPage page, string threadId) => page.Locator($".thread-item[data-id='{threadId}']");

    private static ILocator NewLabels(IPage page) => page.Locator("#comments .comment > .new-label");

    /// <summary>A thread with one comment, read by a new reader who then went to the front page (disposing both is the caller's).</summary>
    private async Task<(ChatApiClient Author, string ThreadId, long ReadSeq, SignedInBrowser Reader)> ReadOnceAndLeftAsync(string title)
    {
        var (author, threadId) = await fixture.NewThreadAsync(title);
        var read = await author.PostCommentSeqAsync(threadId, 0, "Read on the first visit.");
        var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await ExpectMarkSavedAsync(reader.Page, read);
        await reader.Page.GotoAsync("/");
        return (author, threadId, read, reader);
    }

    [Fact]
    public async Task Coming_back_shows_N_new_on_the_front_page_labels_the_new_comments_and_n_and_the_button_go_to_them()
    {
        var (author, threadId) = await fixture.NewThreadAsync("Come back later");
        using var _ = author;
        var old = new[] { await author.PostCommentSeqAsync(threadId, 0, "Old one"), await author.PostCommentSeqAsync(threadId, 0, "Old two") };
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await ExpectMarkSavedAsync(reader.Page, old[1]);

        await reader.Page.GotoAsync("/?sort=new");
        await Expect(Row(reader.Page, threadId)).ToBeVisibleAsync(Within5s);
        var fresh = new List<long>();
        for (var i = 1; i <= 3; i++) fresh.Add(await author.PostCommentSeqAsync(threadId, i == 2 ? old[0] : 0, $"New {i}"));

        // Pushed to the open front page: its row's last seq moves, the reader's mark does not.
        await Expect(Row(reader.Page, threadId).Locator(".new-count")).ToHaveTextAsync("3 new", Within10s);
        await Row(reader.Page, threadId).Locator(".comments-link").ClickAsync();
        await ThreadPage.ExpectConnectedAsync(reader.Page);

        await Expect(NewLabels(reader.Page)).ToHaveCountAsync(3);
        foreach (var seq in fresh) await Expect(reader.Page.Locator($"#c{seq} > .new-label")).ToHaveTextAsync("new");
        foreach (var seq in old) await Expect(reader.Page.Locator($"#c{seq} > .new-label")).ToHaveCountAsync(0);
        await Expect(reader.Page.Locator("#new-comments")).ToBeVisibleAsync();

        // In page order: Old one, New 2 (a reply to it), Old two, New 1, New 3.
        var inPageOrder = new[] { fresh[1], fresh[0], fresh[2] };
        await reader.Page.Keyboard.PressAsync("n");
        await Expect(reader.Page.Locator($"#c{inPageOrder[0]}")).ToBeFocusedAsync();
        await reader.Page.Keyboard.PressAsync("n");
        await Expect(reader.Page.Locator($"#c{inPageOrder[1]}")).ToBeFocusedAsync();
        await reader.Page.Locator("#next-new").ClickAsync();
        await Expect(reader.Page.Locator($"#c{inPageOrder[2]}")).ToBeFocusedAsync();
        await reader.Page.Keyboard.PressAsync("n");
        await Expect(reader.Page.Locator("#next-new-status")).ToHaveTextAsync("No more new comments.");

        // Typing an "n" in a form is typing, not the shortcut.
        await reader.Page.Locator("#comment-text").FocusAsync();
        await reader.Page.Keyboard.PressAsync("n");
        await Expect(reader.Page.Locator("#comment-text")).ToHaveValueAsync("n");
        await Expect(reader.Page.Locator("#comment-text")).ToBeFocusedAsync();

        // All of it was on screen: read, and saved for every device of the reader.
        await ExpectMarkSavedAsync(reader.Page, fresh[2]);
        await using var otherDevice = await fixture.SignedInAsync(reader.UserName);
        await otherDevice.Page.GotoAsync("/?sort=new");
        await Expect(otherDevice.Page.Locator("body[data-read-marks=shown]")).ToHaveCountAsync(1, new() { Timeout = 5000 });
        await Expect(Row(otherDevice.Page, threadId).Locator(".new-count")).ToHaveCountAsync(0);
        await otherDevice.OpenThreadAsync(threadId);
        await Expect(otherDevice.Page.Locator($"#c{fresh[2]}")).ToBeVisibleAsync();
        await Expect(NewLabels(otherDevice.Page)).ToHaveCountAsync(0);
        reader.AssertNoScriptErrors();
        otherDevice.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Opening_the_page_reads_only_what_is_on_screen_and_scrolling_and_live_comments_move_the_mark()
    {
        var (author, threadId, first, reader) = await ReadOnceAndLeftAsync("A long read");
        using var _ = author;
        await using var __ = reader;

        const int count = 30;
        var longText = string.Join("\n\n", Enumerable.Range(1, 6).Select(p => $"Paragraph {p} of a long comment, long enough to fill a few lines of the page."));
        long last = 0;
        for (var i = 0; i < count; i++) last = await author.PostCommentSeqAsync(threadId, 0, $"Long comment {i}.\n\n{longText}");

        await reader.OpenThreadAsync(threadId);
        await Expect(NewLabels(reader.Page)).ToHaveCountAsync(count);
        await Expect(reader.Page.Locator("body[data-read-mark]")).ToHaveCountAsync(1, new() { Timeout = 5000 });
        var readOnOpening = long.Parse((await reader.Page.Locator("body").GetAttributeAsync("data-read-mark"))!);
        Assert.InRange(readOnOpening, first + 1, last - 5);

        // Reading down the page by keyboard, a screen at a time: the mark follows.
        for (var presses = 0; presses < 100 && !await AtTheEndAsync(reader.Page); presses++) await PageDownAsync(reader.Page);
        await ExpectMarkSavedAsync(reader.Page, last);

        // A comment arriving while the reader is there is read once it is on screen.
        var live = await author.PostCommentSeqAsync(threadId, 0, "Posted while you were reading.");
        await Expect(reader.Page.Locator($"#c{live} > .new-label")).ToHaveTextAsync("new", Within10s);
        await reader.Page.Keyboard.PressAsync("End");
        await ExpectMarkSavedAsync(reader.Page, live);
        reader.AssertNoScriptErrors();
    }

    private static Task<bool> AtTheEndAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2");

    /// <summary>One PageDown, as a reader presses it, and the scroll it starts run to its end (and a frame drawn after it).</summary>
    private static async Task PageDownAsync(IPage page)
    {
        var settled = page.EvaluateAsync("""
            () => new Promise(resolve => {
              const done = () => requestAnimationFrame(() => requestAnimationFrame(resolve));
              addEventListener('scrollend', done, { once: true });
              setTimeout(done, 2000); // a press that scrolls nothing fires no scrollend
            })
            """);
        await page.Keyboard.PressAsync("PageDown");
        await settled;
    }

    [Fact]
    public async Task The_next_new_comment_control_is_reached_and_used_by_keyboard_alone()
    {
        var (author, threadId, _, reader) = await ReadOnceAndLeftAsync("Keyboard only");
        using var __ = author;
        await using var ___ = reader;
        var fresh = await author.PostCommentSeqAsync(threadId, 0, "New for the keyboard.");

        await reader.OpenThreadAsync(threadId);
        await Expect(NewLabels(reader.Page)).ToHaveCountAsync(1);
        var reached = false;
        for (var presses = 0; presses < 60 && !reached; presses++)
        {
            await reader.Page.Keyboard.PressAsync("Tab");
            reached = await reader.Page.EvaluateAsync<bool>("() => document.activeElement?.id === 'next-new'");
        }
        Assert.True(reached, "Tab reaches the \"next new comment\" button");
        await reader.Page.Keyboard.PressAsync("Enter");
        await Expect(reader.Page.Locator($"#c{fresh}")).ToBeFocusedAsync();
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_thread_page_with_new_comments_marked_has_no_serious_accessibility_violations()
    {
        var (author, threadId, parent, reader) = await ReadOnceAndLeftAsync("New comments for axe");
        using var _ = author;
        await using var __ = reader;
        await author.PostCommentSeqAsync(threadId, parent, "A new reply with a link https://example.org/new in it.");
        await author.PostCommentSeqAsync(threadId, 0, "A new top-level comment.");

        await reader.Page.GotoAsync("/?sort=new");
        await Expect(Row(reader.Page, threadId).Locator(".new-count")).ToHaveTextAsync("2 new", Within10s);
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "front page with N new");
        await reader.OpenThreadAsync(threadId);
        await Expect(NewLabels(reader.Page)).ToHaveCountAsync(2);
        await reader.Page.Keyboard.PressAsync("n");
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "thread page with new comments marked");
    }
}
