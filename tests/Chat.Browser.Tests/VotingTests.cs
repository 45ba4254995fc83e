using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>Votes on comments and on the thread: shown live on another page, and taken back.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class VotingTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_vote_on_one_page_shows_as_points_on_the_other_and_can_be_taken_back()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Worth a vote.");
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var a = people[0];
        await using var b = people[1];
        await Task.WhenAll(a.OpenThreadAsync(threadId), b.OpenThreadAsync(threadId));

        var arrow = a.Page.Locator($"#c{seq} > .comhead .vote");
        await arrow.ClickAsync();

        await Expect(b.Page.Locator($"#c{seq} > .comhead .points")).ToHaveTextAsync("1 point", new() { Timeout = 5000 });
        await Expect(a.Page.Locator($"#c{seq} > .comhead .vote")).ToHaveAttributeAsync("aria-pressed", "true");
        // Keyboard: the redrawn arrow keeps focus, and Enter takes the vote back.
        await a.Page.Keyboard.PressAsync("Enter");
        await Expect(b.Page.Locator($"#c{seq} > .comhead .points")).ToHaveTextAsync("0 points", new() { Timeout = 5000 });
        await Expect(a.Page.Locator($"#c{seq} > .comhead .vote")).ToHaveAttributeAsync("aria-pressed", "false");

        // The thread's own arrow, too.
        await a.Page.Locator("#thread-meta .vote").ClickAsync();
        await Expect(b.Page.Locator("#thread-points")).ToHaveTextAsync("1 point", new() { Timeout = 5000 });
        a.AssertNoScriptErrors();
        b.AssertNoScriptErrors();
    }
}
