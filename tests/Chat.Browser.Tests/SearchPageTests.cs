using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// Search in Chromium: the header's box ("/" to reach it) opens /search with results whose matched
/// words are marked, each linking to its comment; the next page by keyboard; "search this thread";
/// and axe finds nothing serious on the results page.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class SearchPageTests(BrowserFixture fixture)
{
    private static string NewWord() => "zq" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Waits (over the API) until the index has count results for word, so the page's first look finds them.</summary>
    private async Task IndexedAsync(string word, int count)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        await Eventually.True(async () =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/search?q={word}&limit=50")).GetProperty("total").GetInt64() == count,
            TimeSpan.FromSeconds(20), $"{count} indexed for {word}");
    }

    [Fact]
    public async Task The_header_box_finds_comments_with_marked_words_and_the_next_page_comes_by_keyboard()
    {
        var word = NewWord();
        var (author, threadId) = await fixture.NewThreadAsync("Searchable thread");
        var seqs = new List<long>();
        for (var i = 0; i < 22; i++) seqs.Add(await author.PostCommentSeqAsync(threadId, 0, $"Comment {i} says {word} in the middle"));
        await IndexedAsync(word, 22);
        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        await page.GotoAsync("/");

        var box = page.Locator("#site-search-q");
        await page.Keyboard.PressAsync("/");
        await Expect(box).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(word);
        await Expect(box).ToHaveValueAsync(word);
        await box.PressAsync("Enter");

        // The address polled, not a navigation event awaited: two CI-like runs beside the integration
        // tests missed the event. The results below are what a reader waits for.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/search\\?q={word}"), new() { Timeout = 20_000 });
        var hits = page.Locator("#results > li");
        await Expect(hits).ToHaveCountAsync(20);
        await Expect(page.Locator("#status")).ToHaveTextAsync($"22 results for “{word}”");
        var first = hits.First.Locator("a.search-snippet");
        await Expect(first.Locator("mark")).ToHaveTextAsync(word);
        Assert.Matches($"^/t/{threadId}#c\\d+$", await first.GetAttributeAsync("href"));
        await AccessibilityTests.AssertNoSeriousViolationsAsync(page, "search results");

        // The next page by keyboard: focus lands on the first new result.
        await page.Locator("#next-page").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(hits).ToHaveCountAsync(22);
        await Expect(hits.Nth(20).Locator("a.search-snippet")).ToBeFocusedAsync();
        await Expect(page.Locator("#next-page")).ToBeHiddenAsync();

        // A result opens its comment's permalink.
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/t/{threadId}#c\\d+$"));
    }

    [Fact]
    public async Task Search_this_thread_finds_only_that_threads_comments()
    {
        var word = NewWord();
        var (author, threadId) = await fixture.NewThreadAsync("Here");
        var (_, otherId) = await fixture.NewThreadAsync("Elsewhere");
        await author.PostCommentSeqAsync(threadId, 0, $"here {word}");
        await author.PostCommentSeqAsync(otherId, 0, $"elsewhere {word}");
        await IndexedAsync(word, 2);
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);

        await reader.Page.Locator("#thread-search-q").FillAsync(word);
        await reader.Page.Locator("#thread-search-q").PressAsync("Enter");

        var hits = reader.Page.Locator("#results > li");
        await Expect(hits).ToHaveCountAsync(1, new() { Timeout = 5000 });
        await Expect(hits.First.Locator("mark")).ToHaveTextAsync(word);
        await Expect(reader.Page.Locator("#search-scope")).ToBeVisibleAsync(Within5s);
        await AccessibilityTests.AssertNoSeriousViolationsAsync(reader.Page, "search in a thread");
    }

    [Fact]
    public async Task A_query_the_parser_cannot_read_says_why_on_the_page()
    {
        await using var reader = await fixture.SignedUpAsync();

        await reader.Page.GotoAsync("/search?q=" + Uri.EscapeDataString("\"unclosed"));

        await Expect(reader.Page.Locator("#status")).ToContainTextAsync("is not closed");
        await Expect(reader.Page.Locator("#search-q")).ToHaveValueAsync("\"unclosed");
    }
}
