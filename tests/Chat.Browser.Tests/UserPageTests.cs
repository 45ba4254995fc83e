using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>The user page /u/{name}: karma and links to recent comments.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class UserPageTests(BrowserFixture fixture)
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
}
