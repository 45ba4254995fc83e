using System.Net.Http.Json;
using Chat.Contracts;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests.Xss;

/// <summary>
/// The XSS corpus where flags and mentions put user text: the moderation queue (thread titles,
/// flagged bodies, the parent's snippet) and "@name" links next to markup. All shows as text.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class ModQueueXssTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Payloads_in_flagged_comments_their_parents_and_titles_show_as_text_on_mod_and_mentions_next_to_markup_stay_links()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var mentioned = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var title = XssCorpus.Chunks(XssCorpus.Payloads, Limits.TitleMaxLength, " ").First(c => c.Trim().Length is > 0 and <= Limits.TitleMaxLength);
        var threadId = await poster.CreateThreadAsync(title);
        var parentBody = XssCorpus.Payloads[0];
        var parent = await poster.PostCommentSeqAsync(threadId, 0, parentBody);
        // Every payload once, in a few comments (a flagger's burst is 10 flags).
        var bodies = XssCorpus.Chunks(XssCorpus.Payloads, 2_000, "\n").ToList();
        Assert.InRange(bodies.Count, 1, 8);
        bodies.Add($"<img src=x onerror=alert(1)>@{mentioned.UserName}<script>window.__xss=1</script>");
        var seqs = new List<long>();
        foreach (var body in bodies) seqs.Add(await poster.PostCommentSeqAsync(threadId, parent, body));
        using var flagger = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        foreach (var seq in seqs)
            (await flagger.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{seq}/flag", new { reason = "abuse" })).EnsureSuccessStatusCode();

        await using var moderator = await fixture.ModeratorAsync();
        var page = moderator.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
        await page.GotoAsync("/mod");
        for (var i = 0; i < seqs.Count; i++)
        {
            var entry = page.Locator($"#f-{threadId}-{seqs[i]}");
            await Expect(entry.Locator(".body")).ToHaveTextAsync(bodies[i].Replace("\n", ""), new() { Timeout = 10_000, UseInnerText = false });
            await Expect(entry.Locator(".thread-link")).ToHaveTextAsync(title);
            await Expect(entry.Locator(".mod-parent")).ToContainTextAsync(InboxItem.SnippetOf(parentBody));
        }
        var problems = await XssPageChecks.ProblemsAsync(page, "#mod-queue", XssPageChecks.ModPageTags);
        Assert.True(problems.Length == 0, "/mod: " + string.Join("\n", problems));

        await moderator.OpenThreadAsync(threadId);
        var mention = page.Locator($"#c{seqs[^1]} > .body a.mention");
        await Expect(mention).ToHaveTextAsync("@" + mentioned.UserName);
        await Expect(page.Locator($"#c{seqs[^1]} > .body")).ToHaveTextAsync(bodies[^1]);
        problems = await XssPageChecks.ProblemsAsync(page, "#thread", XssPageChecks.ThreadPageTags);
        Assert.True(problems.Length == 0, "thread page: " + string.Join("\n", problems));
        Assert.Empty(dialogs);
        moderator.AssertNoScriptErrors();
    }
}
