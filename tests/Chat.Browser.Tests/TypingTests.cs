using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>"alice is replying…" on other open pages.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class TypingTests(BrowserFixture fixture)
{
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
}
