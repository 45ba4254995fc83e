using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>"alice is replying…", a moderator's hide and lock: what other open pages show, live.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ModerationAndTypingTests(BrowserFixture fixture)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Within5s = new() { Timeout = 5000 };

    [Fact]
    public async Task Typing_a_reply_shows_who_is_replying_under_that_comment_on_another_page_until_the_reply_arrives()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Who will answer?");
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var typist = people[0];
        await using var reader = people[1];
        await Task.WhenAll(typist.OpenThreadAsync(threadId), reader.OpenThreadAsync(threadId));

        await typist.Page.Locator($"#c{seq} > .comhead .reply-toggle").ClickAsync();
        await typist.Page.Locator($"#c{seq} > .reply-area .reply-text").PressSequentiallyAsync("I will");

        var indicator = reader.Page.Locator($"#c{seq} > .typing");
        await Expect(indicator).ToHaveTextAsync($"{typist.UserName} is replying…", new() { Timeout = 5000 });
        // Only under the comment being replied to, and not on the typist's own page.
        await Expect(reader.Page.Locator("#typing-top")).ToBeHiddenAsync();
        await Expect(typist.Page.Locator($"#c{seq} > .typing")).ToHaveCountAsync(0);

        await typist.Page.Locator($"#c{seq} > .reply-area .reply-submit").ClickAsync();
        await Expect(reader.Page.Locator($"#c{seq} > .children > .comment")).ToBeVisibleAsync(Within5s);
        await Expect(indicator).ToBeHiddenAsync(new() { Timeout = 5000 });
        typist.AssertNoScriptErrors();
        reader.AssertNoScriptErrors();
    }

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
