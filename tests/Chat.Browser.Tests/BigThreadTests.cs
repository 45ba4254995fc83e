using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// A thread with 10,000 comments: the first screen shows fast, the rest loads in pages as the reader
/// scrolls, live comments land exactly once in the right place, and a late permalink still works.
/// Also a benchmark: the times are logged to the test output and to artifacts/test-results.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
[Trait(Lanes.Slow, "true")]
public sealed class BigThreadTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const int CommentCount = 10_000;
    private const int Posters = 8;
    private const int RequestsInFlightPerPoster = 8;

    [Fact]
    public async Task A_10000_comment_thread_opens_fast_and_loads_the_rest_in_pages_as_the_reader_scrolls()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A thread with ten thousand comments");
        var seeding = Stopwatch.StartNew();
        var parents = await SeedAsync(threadId);
        Log($"seeded {CommentCount} comments ({parents.Values.Count(p => p > 0)} replies) in {seeding.Elapsed.TotalSeconds:0.0} s");
        await LogJoinTimeAsync(threadId);

        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        var opening = Stopwatch.StartNew();
        await page.GotoAsync($"/t/{threadId}", new() { WaitUntil = WaitUntilState.Commit });
        await page.Locator("#c1").WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        var firstScreen = opening.Elapsed;
        Log($"first screen of a {CommentCount}-comment thread: first comment visible {firstScreen.TotalMilliseconds:0} ms after navigation");
        Assert.True(firstScreen < TimeSpan.FromSeconds(10), $"first comment took {firstScreen.TotalSeconds:0.0} s to show");

        await ThreadPage.ExpectConnectedAsync(page);
        // Paging is real: one page is on screen, not the whole thread, yet the header counts all of it.
        var firstPage = await page.Locator("#comments .comment").CountAsync();
        Log($"comments rendered at first: {firstPage}");
        Assert.InRange(firstPage, 1, CommentCount / 2);
        await Expect(page.Locator("#comment-count")).ToHaveTextAsync($"{CommentCount} comments");
        await Expect(page.Locator("#load-more")).ToBeVisibleAsync();
        await Expect(page.Locator("#load-more")).ToContainTextAsync($"({CommentCount - firstPage} more)");

        // Live, while the reader is at the top: a reply to a comment on screen shows under it at
        // once; a new top-level comment belongs at the very end and waits for its page.
        var liveReply = await author.PostCommentSeqAsync(threadId, 3, "A live reply to the third comment.");
        var liveTop = await author.PostCommentSeqAsync(threadId, 0, "A live top-level comment, posted while the reader is at the top.");
        await Expect(page.Locator($"#c3 > .children > #c{liveReply}")).ToBeVisibleAsync(new() { Timeout = 5000 });
        await Expect(page.Locator("#comment-count")).ToHaveTextAsync($"{CommentCount + 2} comments", new() { Timeout = 5000 });
        await Expect(page.Locator($"#c{liveTop}")).ToHaveCountAsync(0);

        // The fallback to scrolling: "load more" is a button that Enter presses. Focused without
        // scrolling to it, so that this page comes from the button, not from being near the end.
        await page.EvaluateAsync("() => document.getElementById('load-more').focus({ preventScroll: true })");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync($"() => Number(document.body.dataset.lastSeq) > {firstPage}", null, new() { Timeout = 10_000 });
        await Expect(page.Locator("#load-more")).ToBeFocusedAsync();

        await ScrollToEndAsync(page, $"c{liveTop}");
        await Expect(page.Locator($"#c{CommentCount}")).ToBeVisibleAsync();
        await Expect(page.Locator($"#c{liveTop}")).ToBeVisibleAsync();
        await Expect(page.Locator("#more-comments")).ToBeHiddenAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-last-seq", liveTop.ToString(CultureInfo.InvariantCulture));

        // Every comment exactly once, under its parent, in seq order among its siblings.
        var shown = await page.EvaluateAsync<long[][]>(
            "() => [...document.querySelectorAll('#comments .comment')].map(c => [Number(c.dataset.seq), Number(c.parentElement.closest('.comment')?.dataset.seq ?? 0), Number(c.previousElementSibling?.dataset.seq ?? 0)])");
        Assert.Equal(CommentCount + 2, shown.Length);
        Assert.Equal(Enumerable.Range(1, CommentCount + 2).Select(i => (long)i), shown.Select(r => r[0]).Order());
        parents[liveReply] = 3;
        parents[liveTop] = 0;
        foreach (var row in shown)
        {
            Assert.True(parents[row[0]] == row[1], $"#c{row[0]} is under {row[1]}, its parent is {parents[row[0]]}");
            Assert.True(row[2] < row[0], $"#c{row[0]} comes after its later sibling #c{row[2]}");
        }
        await Expect(page.Locator("#c3 > .children > .comment").Last).ToHaveIdAsync($"c{liveReply}");
        await Expect(page.Locator("#comments > .comment").Last).ToHaveIdAsync($"c{liveTop}");
        reader.AssertNoScriptErrors();

        // A permalink far down loads the pages up to it, then scrolls to and highlights it.
        await using var context = await fixture.NewContextAsync();
        var linked = await context.NewPageAsync();
        var errors = new List<string>();
        linked.PageError += (_, e) => { lock (errors) errors.Add(e); };
        var jumping = Stopwatch.StartNew();
        await linked.GotoAsync($"/t/{threadId}#c9500");
        // Polled every animation frame: this headless Chromium lets a page that nobody draws sit
        // idle for seconds between fetches, which a person looking at the page never sees.
        await linked.WaitForFunctionAsync("() => document.querySelector('#c9500.highlight')", null, new() { Timeout = 30_000 });
        Log($"permalink #c9500: highlighted {jumping.Elapsed.TotalMilliseconds:0} ms after navigation");
        await Expect(linked.Locator("#c9500")).ToBeInViewportAsync();
        await Expect(linked.Locator(".comment.highlight")).ToHaveCountAsync(1);
        lock (errors) Assert.Empty(errors);

        await ReadInTopOrderAsync(threadId, parents);
    }

    /// <summary>
    /// The same thread in "top" order: the first screen is as fast, shows the most voted top-level
    /// comment first wherever it is in the thread, and scrolling loads every comment exactly once,
    /// under its parent, in pages of whole subtrees.
    /// </summary>
    private async Task ReadInTopOrderAsync(string threadId, ConcurrentDictionary<long, long> parents)
    {
        var roots = parents.Where(p => p.Value == 0).Select(p => p.Key).Order().ToArray();
        var (favourite, runnerUp) = (roots[^10], roots[^20]);
        using (var voter1 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress))
        using (var voter2 = await ChatApiClient.SignedUpAsync(fixture.BaseAddress))
        {
            await voter1.UpvoteAsync(threadId, favourite);
            await voter2.UpvoteAsync(threadId, favourite);
            await voter1.UpvoteAsync(threadId, runnerUp);
        }

        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        var opening = Stopwatch.StartNew();
        await page.GotoAsync($"/t/{threadId}?sort=top", new() { WaitUntil = WaitUntilState.Commit });
        await page.Locator($"#c{favourite}").WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        var firstScreen = opening.Elapsed;
        Log($"first screen in top order: most voted comment visible {firstScreen.TotalMilliseconds:0} ms after navigation");
        Assert.True(firstScreen < TimeSpan.FromSeconds(10), $"the first comment in top order took {firstScreen.TotalSeconds:0.0} s to show");
        await Expect(page.Locator("#comments > .comment").Nth(0)).ToHaveIdAsync($"c{favourite}");
        await Expect(page.Locator("#comments > .comment").Nth(1)).ToHaveIdAsync($"c{runnerUp}");
        var firstPage = await page.Locator("#comments .comment").CountAsync();
        Assert.InRange(firstPage, 1, CommentCount / 2);

        await ScrollToEndAsync(page, $"c{roots[^1]}");
        await Expect(page.Locator("#more-comments")).ToBeHiddenAsync();
        var shown = await page.EvaluateAsync<long[][]>(
            "() => [...document.querySelectorAll('#comments .comment')].map(c => [Number(c.dataset.seq), Number(c.parentElement.closest('.comment')?.dataset.seq ?? 0)])");
        Assert.Equal(parents.Count, shown.Length);
        Assert.Equal(parents.Keys.Order(), shown.Select(r => r[0]).Order());
        foreach (var row in shown) Assert.True(parents[row[0]] == row[1], $"#c{row[0]} is under {row[1]}, its parent is {parents[row[0]]}");
        // The rest of the top level has no points: older first, so the newest top-level comment is last.
        await Expect(page.Locator("#comments > .comment").Last).ToHaveIdAsync($"c{roots[^1]}");
        reader.AssertNoScriptErrors();
    }

    /// <summary>
    /// Scrolling to the end loads page after page until the comment with id lastId shows. A reader
    /// presses End again when the screen they landed on grew as it was drawn (off-screen comments
    /// are laid out only near the viewport) and left the end out of reach.
    /// </summary>
    private async Task ScrollToEndAsync(IPage page, string lastId)
    {
        var scrolling = Stopwatch.StartNew();
        var pages = 0;
        var presses = 0;
        while (await page.Locator("#" + lastId).CountAsync() == 0)
        {
            var before = await page.Locator("#comments .comment").CountAsync();
            Assert.True(scrolling.Elapsed < TimeSpan.FromSeconds(60), $"still not at the end after {pages} pages ({presses} presses of End): {before} comments drawn");
            await page.Keyboard.PressAsync("End");
            presses++;
            try
            {
                await page.WaitForFunctionAsync($"() => document.querySelectorAll('#comments .comment').length > {before} || !!document.getElementById('{lastId}')", null, new() { Timeout = 5_000 });
                pages++;
            }
            catch (TimeoutException)
            {
                // The end moved away while the screen was drawn: the loop presses End again.
            }
        }
        Log($"scrolled to the end in {scrolling.Elapsed.TotalSeconds:0.0} s: {pages} pages loaded, End pressed {presses} times");
    }

    /// <summary>
    /// The page connects while it still loads the thread (so that the first page comes sooner): for
    /// a thread that does not exist it must still just say so, never join it, and stop there.
    /// </summary>
    [Fact]
    public async Task A_thread_that_does_not_exist_says_so_without_a_connection_banner()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => { lock (errors) errors.Add(e); };
        var sent = new List<string>();
        page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) => { lock (sent) sent.Add(frame.Text ?? ""); };
        await page.GotoAsync("/t/nosuchthread");
        await Expect(page.Locator("#status")).ToHaveTextAsync("No such thread.");
        await Expect(page).ToHaveTitleAsync("No such thread | chat");
        await Expect(page.Locator("#thread")).ToBeHiddenAsync();
        await Expect(page.Locator("#connection-banner")).ToBeHiddenAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-connection", "disconnected");
        lock (errors) Assert.Empty(errors);
        lock (sent) Assert.DoesNotContain(sent, frame => frame.Contains("JoinThread", StringComparison.Ordinal));
    }

    /// <summary>
    /// Posts the comments through the public API from several users at once, a third of them replies
    /// to a random earlier comment. Returns each seq's parent seq.
    /// </summary>
    private async Task<ConcurrentDictionary<long, long>> SeedAsync(string threadId)
    {
        var posters = await Task.WhenAll(Enumerable.Range(0, Posters).Select(_ => ChatApiClient.SignedUpAsync(fixture.BaseAddress)));
        var parents = new ConcurrentDictionary<long, long>();
        var next = 0;
        long highestAcknowledged = 0;
        try
        {
            await Task.WhenAll(posters.SelectMany(poster => Enumerable.Range(0, RequestsInFlightPerPoster).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i <= CommentCount; i = Interlocked.Increment(ref next))
                {
                    var known = Interlocked.Read(ref highestAcknowledged);
                    var parent = i % 3 == 0 && known > 0 ? Random.Shared.NextInt64(1, known + 1) : 0;
                    var seq = await poster.PostCommentSeqAsync(threadId, parent,
                        $"Comment number {i} from {poster.UserName}: long enough to wrap onto a second line on a phone, like the comments people write.");
                    parents[seq] = parent;
                    for (var seen = known; seq > seen; seen = Interlocked.Read(ref highestAcknowledged))
                        if (Interlocked.CompareExchange(ref highestAcknowledged, seq, seen) == seen) break;
                }
            })));
        }
        finally
        {
            foreach (var poster in posters) poster.Dispose();
        }
        Assert.Equal(CommentCount, parents.Count);
        return parents;
    }

    /// <summary>The server's part of the first screen: JoinThread from the start, as a page calls it.</summary>
    private async Task LogJoinTimeAsync(string threadId)
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(fixture.BaseAddress, "/hubs/discussion")).Build();
        await hub.StartAsync();
        // Twice: the first call pays for the cold path (this node's first subscription, JIT).
        foreach (var attempt in new[] { "first", "again" })
        {
            var joining = Stopwatch.StartNew();
            var result = await hub.InvokeAsync<JsonElement>("JoinThread", threadId, 0L);
            Log($"JoinThread(afterSeq 0), {attempt}: {result.GetProperty("comments").GetArrayLength()} comments (lastSeq {result.GetProperty("lastSeq").GetInt64()}) in {joining.Elapsed.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>To the test output and, as a benchmark line, to artifacts/test-results/big-thread.txt.</summary>
    private void Log(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(Path.Combine(RepoPaths.Artifacts, "big-thread.txt"),
            $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z {line}{Environment.NewLine}");
    }
}
