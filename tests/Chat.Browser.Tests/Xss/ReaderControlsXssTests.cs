using Chat.Contracts;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests.Xss;

/// <summary>
/// The XSS corpus where what a reader controls shows user text: a comment's earlier versions (the
/// "edited" mark's list), and thread titles in /settings' follows and the inbox's followed item.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class ReaderControlsXssTests(BrowserFixture fixture)
{
    private static readonly string[] ControlsTags = [.. XssPageChecks.ThreadPageTags, "ol", "ul", "li", "pre", "section", "h2", "input"];

    [Fact]
    public async Task Payloads_in_earlier_versions_and_followed_titles_show_as_text_and_never_run()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var title = XssCorpus.Chunks(XssCorpus.Payloads, Limits.TitleMaxLength, " \u00b7 ")[0];
        var threadId = await poster.CreateThreadAsync(title);
        // Every payload as one version of one comment (20 versions at most: 20 payloads a comment).
        var versions = XssCorpus.Payloads.Take(CommentVersion.MaxVersions).ToArray();
        var seq = await poster.PostCommentSeqAsync(threadId, 0, versions[0]);
        foreach (var v in versions.Skip(1)) await poster.EditCommentAsync(threadId, seq, v);

        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        var dialogs = 0;
        page.Dialog += (_, dialog) => { Interlocked.Increment(ref dialogs); _ = dialog.DismissAsync(); };
        var follow = await reader.Context.APIRequest.PostAsync($"/api/threads/{threadId}/follow", new() { Headers = new Dictionary<string, string> { ["X-Chat-Request"] = "1" } });
        Assert.True(follow.Ok, $"follow: {follow.Status}");

        await reader.OpenThreadAsync(threadId);
        await page.Locator($"#c{seq} > .comhead .edited").ClickAsync();
        var shown = page.Locator($"#c{seq} > .history .history-body");
        await Expect(shown).ToHaveCountAsync(versions.Length, new() { Timeout = 10_000 });
        Assert.Equal(versions, await shown.AllTextContentsAsync());
        var problems = await XssPageChecks.ProblemsAsync(page, "#thread", ControlsTags);
        Assert.True(problems.Length == 0, "versions: " + string.Join("\n", problems));

        await page.GotoAsync("/settings");
        await Expect(page.Locator("#follows a").First).ToHaveTextAsync(title, new() { Timeout = 10_000 });
        problems = await XssPageChecks.ProblemsAsync(page, "#settings", ControlsTags);
        Assert.True(problems.Length == 0, "settings: " + string.Join("\n", problems));

        // After the reader left the thread: opening it clears its followed item.
        await poster.PostCommentSeqAsync(threadId, 0, XssCorpus.Payloads[^1]);
        await page.GotoAsync("/inbox");
        await Expect(page.Locator("#inbox-items .followed .comment-link")).ToHaveTextAsync("1 new comment in " + title, new() { Timeout = 15_000 });
        problems = await XssPageChecks.ProblemsAsync(page, "#inbox", ControlsTags);
        Assert.True(problems.Length == 0, "inbox: " + string.Join("\n", problems));

        Assert.Equal(0, dialogs);
        reader.AssertNoScriptErrors();
    }
}
