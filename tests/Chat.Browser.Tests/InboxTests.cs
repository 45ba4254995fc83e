using Chat.Browser.Tests.Xss;
using Chat.Contracts;
using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>The inbox: its count rising live on every open page, the page of replies, and markup shown as text.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class InboxTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_inbox_count_rises_on_every_open_page_when_someone_replies_and_the_inbox_links_to_the_reply()
    {
        var (_, threadId) = await fixture.NewThreadAsync("Someone will answer");
        await using var alice = await fixture.SignedUpAsync();
        await alice.OpenThreadAsync(threadId);
        await ThreadPage.PostTopLevelAsync(alice.Page, "Does anyone know?");
        var mine = alice.Page.Locator("#comments .comment", new() { HasText = "Does anyone know?" });
        var parentSeq = long.Parse((await mine.GetAttributeAsync("data-seq"))!);
        // A second page of alice's: her own user page.
        var second = await alice.Context.NewPageAsync();
        await second.GotoAsync($"/u/{alice.UserName}");
        foreach (var page in new[] { alice.Page, second })
        {
            await Expect(page.Locator("body[data-inbox=live]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Expect(page.Locator("#inbox-link")).ToHaveTextAsync("inbox");
        }
        var navigations = 0;
        alice.Page.FrameNavigated += (_, frame) => { if (frame == alice.Page.MainFrame) navigations++; };
        second.FrameNavigated += (_, frame) => { if (frame == second.MainFrame) navigations++; };

        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var reply = await bob.PostCommentSeqAsync(threadId, parentSeq, "Bob knows the answer.");

        await Expect(alice.Page.Locator("#inbox-link")).ToHaveTextAsync("inbox (1)", Within10s);
        await Expect(second.Locator("#inbox-link")).ToHaveTextAsync("inbox (1)", Within10s);
        Assert.Equal(0, navigations);

        await second.Locator("#inbox-link").ClickAsync();
        await Expect(second).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/inbox$"));
        var item = second.Locator("#inbox-items .inbox-item");
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item.Locator(".comment-link")).ToHaveTextAsync("Bob knows the answer.");
        await Expect(item.Locator(".author")).ToHaveTextAsync(bob.UserName!);
        await Expect(item.Locator(".thread-link")).ToHaveTextAsync("Someone will answer");
        // Opening the inbox read it: the count goes on every page, the thread page too.
        await Expect(second.Locator("#inbox-link")).ToHaveTextAsync("inbox", Within10s);
        await Expect(alice.Page.Locator("#inbox-link")).ToHaveTextAsync("inbox", Within10s);

        await item.Locator(".comment-link").ClickAsync();
        await Expect(second).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/t/{threadId}#c{reply}$"));
        await Expect(second.Locator($"#c{reply}")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bhighlight\b"), new() { Timeout = 10_000 });
        await Expect(second.Locator($"#c{reply}")).ToHaveAttributeAsync("data-parent", parentSeq.ToString());
        alice.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Markup_in_thread_titles_and_replies_shows_as_text_in_the_inbox()
    {
        await using var alice = await fixture.SignedUpAsync();
        using var aliceApi = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var title = XssCorpus.Chunks(XssCorpus.Payloads, Limits.TitleMaxLength, " ").First(c => c.Trim().Length is > 0 and <= Limits.TitleMaxLength);
        var threadId = await aliceApi.CreateThreadAsync(title);
        // The browser person's own comment, so that the replies land in the inbox the page shows.
        var response = await alice.Context.APIRequest.PostAsync($"/api/threads/{threadId}/comments", new()
        {
            Headers = new Dictionary<string, string> { ["X-Chat-Request"] = "1" },
            DataObject = new { parentSeq = 0, body = "reply to me", clientId = Guid.NewGuid().ToString("N") },
        });
        Assert.True(response.Ok, await response.TextAsync());
        var parentSeq = (await response.JsonAsync())!.Value.GetProperty("seq").GetInt64();
        using var replier = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        // Whole in a snippet (at most 140 characters), so the page must show each one exactly.
        var bodies = XssCorpus.Chunks(XssCorpus.Payloads, InboxItem.SnippetLength, "\n").Where(b => b.Length <= InboxItem.SnippetLength && b.Trim().Length > 0).ToList();
        foreach (var body in bodies) await replier.PostCommentSeqAsync(threadId, parentSeq, body);

        var page = alice.Page;
        await Eventually.True(async () =>
        {
            await page.GotoAsync("/inbox");
            await Expect(page.Locator("#inbox")).ToBeVisibleAsync();
            return await page.Locator("#inbox-items .inbox-item").CountAsync() == bodies.Count;
        }, TimeSpan.FromSeconds(20), $"{bodies.Count} replies in the inbox");

        var shown = await page.Locator("#inbox-items .inbox-item .comment-link").AllTextContentsAsync();
        Assert.Equal(Enumerable.Reverse(bodies), shown);
        Assert.All(await page.Locator("#inbox-items .thread-link").AllTextContentsAsync(), t => Assert.Equal(title, t));
        var problems = await XssPageChecks.ProblemsAsync(page, "#inbox-items", XssPageChecks.FrontPageTags);
        Assert.True(problems.Length == 0, string.Join("\n", problems));
        alice.AssertNoScriptErrors();
    }
}
