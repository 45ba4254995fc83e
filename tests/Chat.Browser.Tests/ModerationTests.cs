using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>A moderator's hide and lock: what other open pages show, live.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class ModerationTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_comment_a_moderator_hides_disappears_from_another_open_page_and_others_get_no_hide_button()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var keep = await author.PostCommentSeqAsync(threadId, 0, "A fine comment.");
        var doomed = await author.PostCommentSeqAsync(threadId, 0, "Buy cheap watches here.");
        await using var moderator = await fixture.ModeratorAsync();
        await using var reader = await fixture.SignedUpAsync();
        await Task.WhenAll(moderator.OpenThreadAsync(threadId), reader.OpenThreadAsync(threadId));
        await Expect(reader.Page.Locator($"#c{doomed}")).ToBeVisibleAsync(Within5s);
        await Expect(reader.Page.Locator(".hide-button")).ToHaveCountAsync(0);

        await moderator.Page.Locator($"#c{doomed} > .comhead .hide-button").ClickAsync();

        await Expect(reader.Page.Locator($"#c{doomed}")).ToBeHiddenAsync(new() { Timeout = 5000 });
        await Expect(moderator.Page.Locator($"#c{doomed}")).ToBeHiddenAsync(new() { Timeout = 5000 });
        await Expect(reader.Page.Locator("#comments")).Not.ToContainTextAsync("cheap watches");
        await Expect(reader.Page.Locator($"#c{keep}")).ToBeVisibleAsync();
        moderator.AssertNoScriptErrors();
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_thread_a_moderator_locks_shows_as_locked_on_another_open_page_without_a_comment_form()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Last words.");
        await using var moderator = await fixture.ModeratorAsync();
        await using var reader = await fixture.SignedUpAsync();
        await Task.WhenAll(moderator.OpenThreadAsync(threadId), reader.OpenThreadAsync(threadId));
        await Expect(reader.Page.Locator("#comment-form")).ToBeVisibleAsync();
        await Expect(reader.Page.Locator("#lock-toggle")).ToHaveCountAsync(0);

        await moderator.Page.Locator("#lock-toggle").ClickAsync();

        await Expect(reader.Page.Locator("#locked-notice")).ToBeVisibleAsync(Within5s);
        await Expect(reader.Page.Locator("#comment-form")).ToBeHiddenAsync();
        await Expect(reader.Page.Locator($"#c{seq} > .comhead .reply-toggle")).ToBeHiddenAsync();
        await Expect(moderator.Page.Locator("#lock-toggle")).ToHaveTextAsync("unlock");

        // A page opened later shows it too.
        await reader.Page.ReloadAsync();
        await Expect(reader.Page.Locator("#locked-notice")).ToBeVisibleAsync(Within5s);
        await moderator.Page.Locator("#lock-toggle").ClickAsync();
        await Expect(reader.Page.Locator("#locked-notice")).ToBeHiddenAsync(new() { Timeout = 5000 });
        await Expect(reader.Page.Locator("#comment-form")).ToBeVisibleAsync();
        moderator.AssertNoScriptErrors();
        reader.AssertNoScriptErrors();
    }
}
