using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class ScreenshotTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Thread_page_screenshot_is_saved_as_an_artifact()
    {
        var (author, threadId) = await fixture.NewThreadAsync(
            "Show HN: A live discussion site on Orleans",
            body: "Comments appear on every open page within a blink.\n\nTry it: https://example.com/demo");
        var first = await author.PostCommentSeqAsync(threadId, 0, "How does it scale when a thread goes viral?");
        using var other = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var reply = await other.PostCommentSeqAsync(threadId, first, "One grain per thread, group commit to Table storage.\n\n> fan-out per node\n\nsee https://learn.microsoft.com/dotnet/orleans/");
        await author.PostCommentSeqAsync(threadId, reply, "Nice. What happens when a silo dies?");
        await other.PostCommentSeqAsync(threadId, 0, "A second top-level comment, a bit longer so that it wraps: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.");

        await using var user = await fixture.SignedUpAsync();
        await user.OpenThreadAsync(threadId);
        await Expect(user.Page.Locator("#comments .comment")).ToHaveCountAsync(4);

        var path = Path.Combine(RepoPaths.Artifacts, "thread-page.png");
        await user.Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, $"{path} looks empty");
        user.AssertNoScriptErrors();
    }
}
