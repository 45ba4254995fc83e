using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// The thread page's comment order: "top", "new" and "old" as a reader sees them, the choice
/// remembered, live comments placed where they belong, and the reader's place kept when a comment
/// is drawn above what they are reading.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class CommentOrderTests(BrowserFixture fixture)
{
    /// <summary>a (0 points) with replies a1 (0) and a2 (2 points); b (2 points); c (1 point). Seqs by name.</summary>
    private async Task<(ChatApiClient Author, string ThreadId, Dictionary<string, long> Seq)> VotedThreadAsync()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A thread in three orders");
        var seq = new Dictionary<string, long>();
        foreach (var (name, parent) in new[] { ("a", ""), ("b", ""), ("a1", "a"), ("c", ""), ("a2", "a") })
            seq[name] = await author.PostCommentSeqAsync(threadId, parent == "" ? 0 : seq[parent], "Comment " + name);
        using var voter1 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter2 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        foreach (var voter in new[] { voter1, voter2 })
        {
            await voter.UpvoteAsync(threadId, seq["b"]);
            await voter.UpvoteAsync(threadId, seq["a2"]);
        }
        await voter1.UpvoteAsync(threadId, seq["c"]);
        return (author, threadId, seq);
    }

    /// <summary>The comments as drawn, top to bottom, by their text ("a", "a1", …).</summary>
    public static Task<string[]> ShownAsync(IPage page) =>
        page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#comments .comment > .body')].map(b => b.textContent.replace('Comment ', ''))");

    private static async Task ExpectShownAsync(IPage page, params string[] expected)
    {
        await ThreadPage.ExpectConnectedAsync(page);
        await Expect(page.Locator("#comments .comment")).ToHaveCountAsync(expected.Length, new() { Timeout = 10_000 });
        Assert.Equal(expected, await ShownAsync(page));
    }

    [Fact]
    public async Task Each_order_shows_the_thread_in_it_and_the_readers_choice_is_remembered_unless_the_address_says_otherwise()
    {
        var (_, threadId, _) = await VotedThreadAsync();
        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;

        // The default is today's: seq order.
        await page.GotoAsync($"/t/{threadId}");
        await ExpectShownAsync(page, "a", "a1", "a2", "b", "c");
        await Expect(page.Locator("#comment-order a[aria-current]")).ToHaveTextAsync("old");

        await page.Locator("#comment-order a", new() { HasTextString = "top" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"\?sort=top$"));
        await ExpectShownAsync(page, "b", "c", "a", "a2", "a1");
        await Expect(page.Locator("#comment-order a[aria-current]")).ToHaveTextAsync("top");

        await page.Locator("#comment-order a", new() { HasTextString = "new" }).ClickAsync();
        await ExpectShownAsync(page, "c", "b", "a", "a2", "a1");

        // Remembered in this browser: the thread's plain address opens in "new" …
        await page.GotoAsync($"/t/{threadId}");
        await ExpectShownAsync(page, "c", "b", "a", "a2", "a1");
        // … but an address with ?sort= wins, without changing what is remembered.
        await page.GotoAsync($"/t/{threadId}?sort=old");
        await ExpectShownAsync(page, "a", "a1", "a2", "b", "c");
        await page.GotoAsync($"/t/{threadId}");
        await ExpectShownAsync(page, "c", "b", "a", "a2", "a1");
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Live_comments_go_where_they_belong_in_top_and_in_new_and_votes_do_not_reorder_the_page()
    {
        var (author, threadId, seq) = await VotedThreadAsync();
        await using var top = await fixture.SignedUpAsync();
        await using var newest = await fixture.SignedUpAsync();
        await top.Page.GotoAsync($"/t/{threadId}?sort=top");
        await newest.Page.GotoAsync($"/t/{threadId}?sort=new");
        await ExpectShownAsync(top.Page, "b", "c", "a", "a2", "a1");
        await ExpectShownAsync(newest.Page, "c", "b", "a", "a2", "a1");

        // A reply has no points yet: in "top" after its voted siblings, in "new" first among them.
        await author.PostCommentSeqAsync(threadId, seq["a"], "Comment a3");
        // A top-level comment: in "top" at the end (every page is in), in "new" at the top.
        await author.PostCommentSeqAsync(threadId, 0, "Comment d");
        await Expect(top.Page.Locator("#comments .comment")).ToHaveCountAsync(7, new() { Timeout = 5000 });
        await Expect(newest.Page.Locator("#comments .comment")).ToHaveCountAsync(7, new() { Timeout = 5000 });
        Assert.Equal(["b", "c", "a", "a2", "a1", "a3", "d"], await ShownAsync(top.Page));
        Assert.Equal(["d", "c", "b", "a", "a3", "a2", "a1"], await ShownAsync(newest.Page));

        // Votes change the points on the page, not the order under the reader: that waits for a reload.
        using var voter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        foreach (var name in new[] { "a", "a1" }) await voter.UpvoteAsync(threadId, seq[name]);
        using var voter2 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        foreach (var name in new[] { "a", "a1" }) await voter2.UpvoteAsync(threadId, seq[name]);
        using var voter3 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await voter3.UpvoteAsync(threadId, seq["a"]);
        await voter3.UpvoteAsync(threadId, seq["a1"]);
        await Expect(top.Page.Locator($"#c{seq["a"]} > .comhead .points")).ToHaveTextAsync("3 points", new() { Timeout = 5000 });
        await Expect(top.Page.Locator($"#c{seq["a1"]} > .comhead .points")).ToHaveTextAsync("3 points", new() { Timeout = 5000 });
        Assert.Equal(["b", "c", "a", "a2", "a1", "a3", "d"], await ShownAsync(top.Page));
        await top.Page.ReloadAsync();
        await ExpectShownAsync(top.Page, "a", "a1", "a2", "a3", "b", "c", "d");
        top.AssertNoScriptErrors();
        newest.AssertNoScriptErrors();
    }

    [Theory]
    [InlineData("new")]
    [InlineData("old")]
    public async Task A_comment_drawn_above_the_screen_does_not_move_the_comment_the_reader_is_reading(string order)
    {
        var (author, threadId) = await fixture.NewThreadAsync("A long thread to scroll");
        var seqs = new List<long>();
        for (var i = 1; i <= 40; i++)
            seqs.Add(await author.PostCommentSeqAsync(threadId, 0, $"Top-level comment {i}, long enough to take a line or two of the screen as people's comments do."));
        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        await page.GotoAsync($"/t/{threadId}?sort={order}");
        await ThreadPage.ExpectConnectedAsync(page);
        await Expect(page.Locator("#comments .comment")).ToHaveCountAsync(40);

        // The reader reads in the middle; what is drawn next goes far above the screen: in "new" a
        // new top-level comment (at the top), in "old" a reply to the first comment.
        var reading = page.Locator($"#c{seqs[20]}");
        await reading.EvaluateAsync("c => c.scrollIntoView({ block: 'start' })");
        await page.EvaluateAsync("() => window.scrollBy(0, -100)");
        await Expect(page.Locator($"#c{seqs[0]}")).Not.ToBeInViewportAsync();
        var before = await TopOfAsync(reading);
        var posted = await author.PostCommentSeqAsync(threadId, order == "new" ? 0 : seqs[0],
            "Drawn above the reader: several lines of text, so that a page that does not keep its place would move by a lot.\n\nA second paragraph.\n\nAnd a third.");
        await Expect(page.Locator($"#c{posted}")).ToHaveCountAsync(1, new() { Timeout = 5000 });
        var above = await page.Locator($"#c{posted}").EvaluateAsync<double>("c => c.getBoundingClientRect().bottom");
        Assert.True(above < 0, $"the new comment is drawn above the screen (its bottom at {above})");

        Assert.Equal(before, await TopOfAsync(reading), 1.0);
        reader.AssertNoScriptErrors();
    }

    private static Task<double> TopOfAsync(ILocator comment) =>
        comment.EvaluateAsync<double>("c => c.getBoundingClientRect().top");
}
