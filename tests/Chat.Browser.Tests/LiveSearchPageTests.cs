using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// A /search page left open: a matching comment posted by someone else appears at the top of the
/// results, marked new, with its word marked, without moving the result the reader is looking at;
/// screen readers hear of it; it is a link reached by keyboard; axe finds nothing serious.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class LiveSearchPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_matching_comment_posted_elsewhere_appears_marked_new_without_moving_the_readers_place()
    {
        var word = "zq" + Guid.NewGuid().ToString("N")[..12];
        var (author, threadId) = await fixture.NewThreadAsync("Live search thread");
        for (var i = 0; i < 20; i++) await author.PostCommentSeqAsync(threadId, 0, $"Older comment {i} says {word}");
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            await Eventually.True(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/search?q={word}")).GetProperty("total").GetInt64() == 20,
                TimeSpan.FromSeconds(20), "the older comments indexed");
        }
        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        await page.SetViewportSizeAsync(800, 400);
        await page.GotoAsync($"/search?q={word}&sort=new");
        var hits = page.Locator("#results > li");
        await Expect(hits).ToHaveCountAsync(20);
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("New matches appear at the top as they are posted.");

        // The reader has scrolled down to the tenth result.
        await hits.Nth(9).ScrollIntoViewIfNeededAsync();
        await page.EvaluateAsync("() => document.querySelectorAll('#results > li')[9].scrollIntoView({ block: 'start' })");
        var before = await page.EvaluateAsync<double>("() => document.querySelectorAll('#results > li')[9].getBoundingClientRect().top");

        var seq = await author.PostCommentSeqAsync(threadId, 0, $"A fresh comment about {word}");

        var fresh = page.Locator("#results > li.new");
        await Expect(fresh).ToHaveCountAsync(1);
        await Expect(hits).ToHaveCountAsync(21);
        await Expect(fresh.Locator(".new-mark")).ToHaveTextAsync("new");
        await Expect(fresh.Locator("a.search-snippet mark")).ToHaveTextAsync(word);
        Assert.Equal($"/t/{threadId}#c{seq}", await fresh.Locator("a.search-snippet").GetAttributeAsync("href"));
        var after = await page.EvaluateAsync<double>("() => document.querySelectorAll('#results > li.new ~ li')[9].getBoundingClientRect().top");
        Assert.True(Math.Abs(after - before) < 2, $"the result the reader looked at moved from {before} to {after} px");
        await Expect(page.Locator("#live-news")).ToHaveTextAsync($"New match by {author.UserName}");

        await fresh.Locator("a.search-snippet").FocusAsync();
        await Expect(fresh.Locator("a.search-snippet")).ToBeFocusedAsync();
        await AccessibilityTests.AssertNoSeriousViolationsAsync(page, "search results with a live match");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/t/{threadId}#c{seq}$"));
        reader.AssertNoScriptErrors();
    }
}
