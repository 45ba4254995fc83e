using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests.Xss;

/// <summary>
/// The XSS corpus through search: every payload as a found comment (its snippet, with marked
/// words), pushed live to a search left open, and every payload as the query itself (reflected in the form, the title and the status).
/// Nothing runs, nothing becomes markup.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
[Trait(Lanes.Slow, "true")]
public sealed class XssSearchTests(BrowserFixture fixture)
{
    private static readonly string[] ResultTags = ["li", "a", "mark", "div", "time", "span"];

    private static readonly string[] FormTags = ["label", "input", "select", "option", "button"];

    [Fact]
    public async Task Payloads_found_by_search_and_payloads_as_queries_show_as_text_and_never_run()
    {
        var payloads = XssCorpus.Payloads;
        var word = "zq" + Guid.NewGuid().ToString("N")[..12];
        var (poster, threadId) = await fixture.NewThreadAsync("xss search");
        foreach (var p in payloads) await poster.PostCommentSeqAsync(threadId, 0, $"{word} {p}");
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        await Eventually.True(async () =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/search?q={word}")).GetProperty("total").GetInt64() == payloads.Count,
            TimeSpan.FromSeconds(30), "every payload indexed");

        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };

        await page.GotoAsync($"/search?q={word}&sort=new");
        var hits = page.Locator("#results > li");
        for (var shown = 20; shown < payloads.Count; shown += 20)
        {
            await Expect(hits).ToHaveCountAsync(shown);
            await page.Locator("#next-page").ClickAsync();
        }
        await Expect(hits).ToHaveCountAsync(payloads.Count);
        var problems = await XssPageChecks.ProblemsAsync(page, "#results", ResultTags);
        Assert.True(problems.Length == 0, "results: " + string.Join("\n", problems));
        var snippets = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#results .search-snippet')].map(a => a.textContent)");
        // Newest first: the last payload posted is the first result; each shows as its text.
        for (var i = 0; i < payloads.Count; i++)
        {
            var expected = $"{word} {payloads[payloads.Count - 1 - i]}";
            Assert.True(expected.StartsWith(snippets[i].TrimEnd('…'), StringComparison.Ordinal), $"result {i}: {snippets[i]} is not the text {expected}");
        }

        // Pushed live to a search left open: the same payloads, arriving as SearchMatches.
        var liveWord = "zq" + Guid.NewGuid().ToString("N")[..12];
        await page.GotoAsync($"/search?q={liveWord}");
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("New matches appear at the top as they are posted.");
        foreach (var p in payloads) await poster.PostCommentSeqAsync(threadId, 0, $"{liveWord} {p}");
        await Expect(page.Locator("#results > li.new")).ToHaveCountAsync(payloads.Count, new() { Timeout = 30_000 });
        var live = await XssPageChecks.ProblemsAsync(page, "#results", ResultTags);
        Assert.True(live.Length == 0, "live results: " + string.Join("\n", live));

        foreach (var p in payloads)
        {
            await page.GotoAsync("/search?q=" + Uri.EscapeDataString(p));
            await Expect(page.Locator("#status")).Not.ToHaveTextAsync("Searching…");
            // The query is reflected in the form and the status: as values and text, never as elements.
            var form = await XssPageChecks.ProblemsAsync(page, "#search-form", FormTags);
            var status = await XssPageChecks.ProblemsAsync(page, "#status", []);
            var note = await XssPageChecks.ProblemsAsync(page, "#live-state", []);
            Assert.True(form.Length + status.Length + note.Length == 0, $"query {p}: " + string.Join("\n", form.Concat(status).Concat(note)));
            Assert.Equal(p, await page.Locator("#search-q").InputValueAsync());
        }

        lock (dialogs) Assert.True(dialogs.Count == 0, "dialogs fired: " + string.Join(" | ", dialogs));
        reader.AssertNoScriptErrors();
    }
}
