using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>Comments and replies posted on one page appear on other open pages, once, without reload.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class LiveCommentTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_top_level_comment_from_one_page_appears_once_on_the_other()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var firstSeq = await author.PostCommentSeqAsync(threadId, 0, "Already here before anyone opened the page.");
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var a = people[0];
        await using var b = people[1];
        await Task.WhenAll(a.OpenThreadAsync(threadId), b.OpenThreadAsync(threadId));

        var text = "Live from " + a.UserName;
        await ThreadPage.PostTopLevelAsync(a.Page, text);

        foreach (var page in new[] { a.Page, b.Page })
        {
            var comment = page.Locator("#comments > .comment", new() { HasText = text });
            await Expect(comment).ToBeVisibleAsync(ThreadPage.Within2s);
            await Expect(comment).ToHaveAttributeAsync("data-parent", "0");
            await Expect(page.Locator("#comments .comment")).ToHaveCountAsync(2);
            await Expect(page.Locator($"#c{firstSeq}")).ToHaveCountAsync(1);
            await Expect(page.Locator($"#c{firstSeq + 1}")).ToHaveCountAsync(1);
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-last-seq", (firstSeq + 1).ToString());
            // Presence rides on the same path: both readers are counted on both pages. The node
            // reports its count after Chat:Relay:ViewerReportDelay and a grain round trip; on a
            // loaded CI machine that took over 5 s once (a fresh clone), so the deadline is 15 s.
            await Expect(page.Locator("#viewers")).ToHaveTextAsync("2 reading now", new() { Timeout = 15_000 });
        }
        a.AssertNoScriptErrors();
        b.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_reply_posted_on_one_page_shows_under_its_parent_on_another_page_without_reload()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var parentSeq = await author.PostCommentSeqAsync(threadId, 0, "The comment everyone replies to.");
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var a = people[0];
        await using var b = people[1];
        await Task.WhenAll(a.OpenThreadAsync(threadId), b.OpenThreadAsync(threadId));
        await Expect(b.Page.Locator($"#c{parentSeq}")).ToBeVisibleAsync();
        var navigations = 0;
        b.Page.FrameNavigated += (_, frame) => { if (frame == b.Page.MainFrame) navigations++; };

        var text = "A reply from " + a.UserName;
        await ThreadPage.ReplyAsync(a.Page, parentSeq, text);

        var reply = b.Page.Locator($"#c{parentSeq} > .children > .comment", new() { HasText = text });
        await Expect(reply).ToBeVisibleAsync(ThreadPage.Within2s);
        await Expect(reply).ToHaveAttributeAsync("data-parent", parentSeq.ToString());
        await Expect(reply.Locator(":scope > .comhead .author")).ToHaveTextAsync(a.UserName);
        Assert.Equal(0, navigations);
        await Expect(b.Page.Locator("#comments .comment")).ToHaveCountAsync(2);
        a.AssertNoScriptErrors();
        b.AssertNoScriptErrors();
    }
}
