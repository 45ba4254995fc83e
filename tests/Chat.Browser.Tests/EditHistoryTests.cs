using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>The "edited" mark opens a comment's versions with their times, from the keyboard.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class EditHistoryTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_reader_opens_the_earlier_versions_of_an_edited_comment_by_keyboard()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Ten is the answer.");
        await author.EditCommentAsync(threadId, seq, "Twelve is the answer.");
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);

        var edited = reader.Page.Locator($"#c{seq} > .comhead .edited");
        await Expect(edited).ToHaveAttributeAsync("aria-expanded", "false");
        await edited.FocusAsync();
        await reader.Page.Keyboard.PressAsync("Enter");

        var versions = reader.Page.Locator($"#c{seq} > .history .history-version");
        await Expect(versions).ToHaveCountAsync(2, new() { Timeout = 5000 });
        await Expect(versions.Nth(0).Locator(".history-body")).ToHaveTextAsync("Ten is the answer.");
        await Expect(versions.Nth(1).Locator(".history-body")).ToHaveTextAsync("Twelve is the answer.");
        await Expect(versions.Nth(0).Locator("time")).ToHaveCountAsync(1);
        await Expect(edited).ToHaveAttributeAsync("aria-expanded", "true");
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "thread page with a comment's versions open");

        // An edit arriving live keeps the mark; pressing it again closes the versions.
        await author.EditCommentAsync(threadId, seq, "Twelve, I checked.");
        await Expect(reader.Page.Locator($"#c{seq} > .body")).ToHaveTextAsync("Twelve, I checked.", new() { Timeout = 5000 });
        await reader.Page.Locator($"#c{seq} > .comhead .edited").PressAsync("Enter");
        await Expect(reader.Page.Locator($"#c{seq} > .history")).ToBeHiddenAsync();
        reader.AssertNoScriptErrors();
    }
}
