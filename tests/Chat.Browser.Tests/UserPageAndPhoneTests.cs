using Chat.TestSupport;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class UserPageAndPhoneTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_user_page_shows_karma_and_links_to_recent_comments()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Something worth finding again.");
        using var voter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        (await voter.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/vote", null)).EnsureSuccessStatusCode();
        await using var person = await fixture.SignedUpAsync();

        // Karma follows votes within seconds (one-way to the user grain): reload until it shows.
        await Eventually.True(async () =>
        {
            await person.Page.GotoAsync($"/u/{author.UserName}");
            await Expect(person.Page.Locator("#profile")).ToBeVisibleAsync();
            return await person.Page.Locator("#profile-karma").TextContentAsync() == "1";
        }, TimeSpan.FromSeconds(15), "karma 1 on the user page");

        await Expect(person.Page.Locator("#profile-name")).ToHaveTextAsync(author.UserName!);
        var link = person.Page.Locator("#profile-comments a", new() { HasText = "Something worth finding again." });
        await link.ClickAsync();
        await Expect(person.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/t/{threadId}#c{seq}$"));
        await Expect(person.Page.Locator($"#c{seq}")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bhighlight\b"), new() { Timeout = 10_000 });
        person.AssertNoScriptErrors();
    }

    [Fact]
    public async Task On_a_phone_width_screen_a_deep_thread_needs_no_sideways_scrolling()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A thread on a phone");
        using var other = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        long parent = 0;
        for (var depth = 0; depth < 8; depth++)
            parent = await (depth % 2 == 0 ? author : other).PostCommentSeqAsync(threadId, parent, $"Depth {depth}: a reply long enough to wrap on a narrow screen, with https://example.com/a/rather/long/link/that/must/wrap/too");
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString(), ViewportSize = new() { Width = 360, Height = 740 } });
        await using var _ = context;
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/t/{threadId}");
        await ThreadPage.ExpectConnectedAsync(page);
        await Expect(page.Locator("#comments .comment")).ToHaveCountAsync(8);

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Artifacts, "thread-page-phone.png"), FullPage = true });
    }
}
