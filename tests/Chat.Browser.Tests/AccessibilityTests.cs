using System.Net.Http.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// axe-core in Chromium on every page, in the states people see: a thread full of comments (nested
/// replies, links in text, quotes, a deleted one), a reply form open, a moderator's view, the
/// inbox with a reply in it. No serious or critical violation anywhere.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
[Trait(Lanes.Slow, "true")]
public sealed class AccessibilityTests(BrowserFixture fixture)
{
    internal static async Task AssertNoSeriousViolationsAsync(IPage page, string what)
    {
        // Also what axe rates only "moderate": every page names itself with one level-one heading.
        Assert.True(await page.Locator("h1").CountAsync() >= 1, $"{what}: no level-one heading");
        AxeResult result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{what}: {serious.Count} serious or critical axe violations:\n" + string.Join("\n", serious.Select(v =>
            $"- {v.Id} ({v.Impact}): {v.Help}; {v.Nodes.Length} element(s), e.g. {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target) + " " + n.Html))}")));
    }

    /// <summary>A thread with what a busy discussion has: levels of replies, links in text, a quote, a deleted comment.</summary>
    private async Task<(ChatApiClient Author, string ThreadId, long FirstSeq)> BusyThreadAsync()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A busy thread for axe", body: "What do you think of https://example.org/article and its claims?");
        var first = await author.PostCommentSeqAsync(threadId, 0, "I read it twice. See https://example.org/source for where the numbers come from.");
        var parent = first;
        for (var depth = 0; depth < 4; depth++)
            parent = await author.PostCommentSeqAsync(threadId, parent, $"> quoted words\nA reply at depth {depth + 1}, with a link https://example.org/{depth} in the middle of a sentence.");
        for (var i = 0; i < 12; i++) await author.PostCommentSeqAsync(threadId, 0, $"Top-level comment {i}: plain text that goes on for a while, as comments do, so that the page has a good deal of text in it.");
        var doomed = await author.PostCommentSeqAsync(threadId, first, "A comment its author will delete.");
        (await author.Http.DeleteAsync($"/api/threads/{threadId}/comments/{doomed}")).EnsureSuccessStatusCode();
        return (author, threadId, first);
    }

    [Fact]
    public async Task The_front_page_and_the_pages_for_signing_in_and_submitting_have_no_serious_violations()
    {
        await BusyThreadAsync();
        await using var reader = await fixture.SignedUpAsync();
        await reader.Page.GotoAsync("/");
        await Expect(reader.Page.Locator(".thread-row, .front-row, li").First).ToBeVisibleAsync(Within5s);
        await AssertNoSeriousViolationsAsync(reader.Page, "front page");
        await reader.Page.GotoAsync("/submit");
        await AssertNoSeriousViolationsAsync(reader.Page, "submit page");

        var context = await fixture.NewContextAsync();
        var anonymous = await context.NewPageAsync();
        await anonymous.GotoAsync("/login");
        await AssertNoSeriousViolationsAsync(anonymous, "login page");
        await context.DisposeAsync();
    }

    [Fact]
    public async Task A_busy_thread_page_with_a_reply_form_open_and_a_moderators_view_have_no_serious_violations()
    {
        var (_, threadId, first) = await BusyThreadAsync();
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await AssertNoSeriousViolationsAsync(reader.Page, "thread page");

        await reader.Page.Locator($"#c{first} > .comhead .reply-toggle").ClickAsync();
        await Expect(reader.Page.Locator($"#c{first} > .reply-area")).ToBeVisibleAsync();
        await AssertNoSeriousViolationsAsync(reader.Page, "thread page with a reply form open");

        await using var moderator = await fixture.ModeratorAsync();
        await moderator.OpenThreadAsync(threadId);
        await AssertNoSeriousViolationsAsync(moderator.Page, "thread page as a moderator");
    }

    [Fact]
    public async Task A_user_page_and_an_inbox_with_a_reply_have_no_serious_violations()
    {
        var (author, threadId, _) = await BusyThreadAsync();
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await ThreadPage.PostTopLevelAsync(reader.Page, "A comment of mine that someone will answer.");
        var mine = long.Parse((await reader.Page.Locator("#comments .comment", new() { HasText = "A comment of mine" }).GetAttributeAsync("data-seq"))!);
        using var replier = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await replier.PostCommentSeqAsync(threadId, mine, "An answer to you.");

        await reader.Page.GotoAsync($"/u/{author.UserName}");
        await Expect(reader.Page.Locator("main")).ToContainTextAsync(author.UserName!, new() { Timeout = 5000 });
        await AssertNoSeriousViolationsAsync(reader.Page, "user page");
        await reader.Page.GotoAsync("/inbox");
        await Expect(reader.Page.Locator("main")).ToContainTextAsync("An answer to you.", new() { Timeout = 5000 });
        await AssertNoSeriousViolationsAsync(reader.Page, "inbox");
    }

    [Fact]
    public async Task A_comment_someone_else_posts_is_announced_to_screen_readers_and_the_readers_own_is_not()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        // Everything the live region ever says, in order.
        await reader.Page.EvaluateAsync("""
            () => {
              window.__said = [];
              const region = document.getElementById('live-news');
              new MutationObserver(() => window.__said.push(region.textContent)).observe(region, { childList: true, characterData: true, subtree: true });
            }
            """);

        await ThreadPage.PostTopLevelAsync(reader.Page, "My own words.");
        await author.PostCommentSeqAsync(threadId, 0, "Someone else's words.");

        await Expect(reader.Page.Locator("#live-news")).ToHaveTextAsync($"New comment by {author.UserName}", Within10s);
        Assert.Equal([$"New comment by {author.UserName}"], await reader.Page.EvaluateAsync<string[]>("() => window.__said"));
        Assert.Equal("polite", await reader.Page.Locator("#live-news").GetAttributeAsync("aria-live"));
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_moderation_queue_with_flagged_comments_has_no_serious_violations()
    {
        var (_, threadId, first) = await BusyThreadAsync();
        for (var i = 0; i < 3; i++)
        {
            using var flagger = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
            (await flagger.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{first + 1}/flag", new { reason = "abuse" })).EnsureSuccessStatusCode();
            (await flagger.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{first}/flag", new { reason = "spam" })).EnsureSuccessStatusCode();
        }
        await using var moderator = await fixture.ModeratorAsync();
        await moderator.Page.GotoAsync("/mod");
        await Expect(moderator.Page.Locator($"#f-{threadId}-{first + 1} .mod-flag")).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        await AssertNoSeriousViolationsAsync(moderator.Page, "moderation queue");

        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await reader.Page.Locator($"#c{first + 2} > .comhead .flag-toggle").ClickAsync();
        await AssertNoSeriousViolationsAsync(reader.Page, "thread page with a flag form open");
    }
}
