using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>What a reader controls, as they do it: mute from a profile, see muted comments collapsed (live too) and undo on /settings; follow a thread and find its count in the inbox; quiet a comment.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class ReaderControlsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_muted_persons_comments_show_collapsed_live_too_one_can_be_shown_and_settings_undo_the_mute()
    {
        var (_, threadId) = await fixture.NewThreadAsync("Someone loud is here");
        using var loud = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var first = await loud.PostCommentSeqAsync(threadId, 0, "LOUD WORDS NOBODY WANTS.");
        await using var reader = await fixture.SignedUpAsync();

        await reader.Page.GotoAsync($"/u/{loud.UserName}");
        var mute = reader.Page.Locator("#mute-toggle");
        await Expect(mute).ToHaveTextAsync("mute", Within10s);
        await mute.FocusAsync();
        await reader.Page.Keyboard.PressAsync("Enter");
        await Expect(mute).ToHaveTextAsync("unmute");
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");

        await reader.OpenThreadAsync(threadId);
        var comment = reader.Page.Locator($"#c{first}");
        await Expect(comment.Locator(":scope > .comhead .muted-mark")).ToHaveTextAsync("[muted]");
        await Expect(comment.Locator(":scope > .body")).ToBeHiddenAsync();
        await Expect(reader.Page.Locator("#comments")).Not.ToContainTextAsync("LOUD WORDS", new() { UseInnerText = true });

        // A live push of theirs arrives muted as well.
        var second = await loud.PostCommentSeqAsync(threadId, 0, "EVEN LOUDER.");
        await Expect(reader.Page.Locator($"#c{second} > .comhead .muted-mark")).ToBeVisibleAsync(Within5s);
        await Expect(reader.Page.Locator($"#c{second} > .body")).ToBeHiddenAsync();

        // "show" reveals that one comment only.
        await comment.Locator(":scope > .comhead .show-muted").FocusAsync();
        await reader.Page.Keyboard.PressAsync("Enter");
        await Expect(comment.Locator(":scope > .body")).ToHaveTextAsync("LOUD WORDS NOBODY WANTS.");
        await Expect(reader.Page.Locator($"#c{second} > .body")).ToBeHiddenAsync();
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "thread page with muted comments");

        await reader.Page.GotoAsync("/settings");
        var undo = reader.Page.Locator("#mutes .undo-toggle");
        await Expect(reader.Page.Locator("#mutes")).ToContainTextAsync(loud.UserName!, new() { Timeout = 10_000 });
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "settings page");
        await undo.FocusAsync();
        await reader.Page.Keyboard.PressAsync("Enter");
        await Expect(undo).ToHaveTextAsync("mute");

        await reader.OpenThreadAsync(threadId);
        await Expect(reader.Page.Locator($"#c{first} > .body")).ToHaveTextAsync("LOUD WORDS NOBODY WANTS.");
        await Expect(reader.Page.Locator($"#c{first} > .comhead .muted-mark")).ToHaveCountAsync(0);
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_mute_in_another_tab_collapses_the_persons_comments_on_an_open_thread_page()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        using var loud = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var seq = await loud.PostCommentSeqAsync(threadId, 0, "Words from another tab's target.");
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await Expect(reader.Page.Locator($"#c{seq} > .body")).ToBeVisibleAsync();

        var profile = await reader.Context.NewPageAsync();
        await profile.GotoAsync($"/u/{loud.UserName}");
        await profile.Locator("#mute-toggle").ClickAsync();
        await Expect(profile.Locator("#mute-toggle")).ToHaveTextAsync("unmute");

        await Expect(reader.Page.Locator($"#c{seq} > .comhead .muted-mark")).ToBeVisibleAsync(Within5s);
        await Expect(reader.Page.Locator($"#c{seq} > .body")).ToBeHiddenAsync();
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Following_a_thread_brings_one_counting_item_to_the_inbox_live_and_opening_the_thread_clears_it()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A thread worth following");
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        var follow = reader.Page.Locator("#follow-toggle");
        await Expect(follow).ToHaveTextAsync("follow");
        await follow.FocusAsync();
        await reader.Page.Keyboard.PressAsync("Enter");
        await Expect(follow).ToHaveTextAsync("unfollow");

        await reader.Page.GotoAsync("/");
        await Expect(reader.Page.Locator("body[data-inbox=live]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var first = await author.PostCommentSeqAsync(threadId, 0, "First news.");
        await author.PostCommentSeqAsync(threadId, 0, "Second news.");
        await Expect(reader.Page.Locator("#inbox-link")).ToHaveTextAsync("inbox (1)", new() { Timeout = 15_000 });

        await reader.Page.GotoAsync("/inbox");
        var item = reader.Page.Locator("#inbox-items .followed");
        await Expect(item.Locator(".comment-link")).ToHaveTextAsync("2 new comments in A thread worth following", Within10s);
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "inbox with a followed thread");
        // Its link is the first new comment (the list may be redrawn as it is marked read: a click, not focus and Enter).
        await Expect(item.Locator(".comment-link")).ToHaveAttributeAsync("href", $"/t/{threadId}#c{first}");
        await item.Locator(".comment-link").ClickAsync();
        await reader.Page.WaitForURLAsync($"**/t/{threadId}#c{first}");
        await ThreadPage.ExpectConnectedAsync(reader.Page);

        await reader.Page.GotoAsync("/inbox");
        await Expect(reader.Page.Locator("#inbox-items")).ToContainTextAsync("No replies or mentions yet.", new() { Timeout = 10_000 });
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_author_quiets_a_comment_from_the_thread_page_and_finds_it_in_settings()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        await using var author = await fixture.SignedUpAsync();
        await author.OpenThreadAsync(threadId);
        await ThreadPage.PostTopLevelAsync(author.Page, "Please do not notify me of answers.");
        var mine = author.Page.Locator("#comments .comment", new() { HasText = "Please do not notify me" });
        var quiet = mine.Locator(":scope > .comhead .quiet-toggle");
        await quiet.FocusAsync();
        await author.Page.Keyboard.PressAsync("Enter");
        await Expect(mine.Locator(":scope > .comhead .quiet-toggle")).ToHaveTextAsync("unquiet");

        await author.Page.GotoAsync("/settings");
        await Expect(author.Page.Locator("#quiet .control-entry")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Expect(author.Page.Locator("#auto-follow")).ToBeCheckedAsync();
        await author.Page.Locator("#auto-follow").FocusAsync();
        await author.Page.Keyboard.PressAsync("Space");
        await Expect(author.Page.Locator("#auto-follow-status")).ToHaveTextAsync("saved");
        await author.Page.ReloadAsync();
        await Expect(author.Page.Locator("#auto-follow")).Not.ToBeCheckedAsync(new() { Timeout = 10_000 });
        author.AssertNoScriptErrors();
    }
}
