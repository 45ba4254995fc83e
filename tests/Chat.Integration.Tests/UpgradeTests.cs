using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Integration.Tests;

/// <summary>
/// A rolling upgrade from the last recorded release (CHANGELOG.md) to the current tree, and the
/// rollback, under load: every silo, then every web node, is replaced one at a time (SIGTERM, the
/// new one started and ready), then the web nodes and the silos go back the same way. Nothing
/// acknowledged may be lost, readers stay complete and in order, posters see no error they could
/// not retry, and pages loaded from either version end up showing every comment.
/// </summary>
// Processes and a browser: the heaviest need names the lane.
[Trait("Lane", Lanes.Browser)]
[Trait(Lanes.Slow, "true")]
public sealed class UpgradeTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    /// <summary>For each wait below: a web node starts in seconds, a reader fails over in one.</summary>
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A web node of 0.1.0 that a page reconnects to while it stops (the page comes back to the same
    /// address, where its replacement will be) waits out its whole shutdown timeout (fixed since:
    /// WebNodeShutdownTests). 10 s instead of the default 30 s keeps the test short; nothing here
    /// needs longer to stop.
    /// </summary>
    private static readonly Dictionary<string, string> ShorterShutdown = new() { ["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = "10" };

    [Fact]
    public async Task A_rolling_upgrade_from_the_last_release_and_back_loses_nothing_and_pages_carry_on()
    {
        var clock = Stopwatch.StartNew();
        var (release, old) = await ReleaseBuild.LastAsync();
        output.WriteLine($"release {release} built in {old} by {clock.Elapsed.TotalSeconds:0} s");
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 2, ShorterShutdown, old);
        Uri[] nodes = cluster.WebAddresses, otherFirst = [.. nodes.Reverse()];
        using var author = await ChatApiClient.SignedUpAsync(nodes[0]);
        var threadId = await author.CreateThreadAsync("Read through an upgrade");
        await using var pages = await ChromiumPages.LaunchAsync();
        var oldPages = new[] { await pages.OpenThreadAsync(nodes[0], threadId), await pages.OpenThreadAsync(nodes[1], threadId) };

        // Two posters and two readers, each starting on a different node and moving to the other
        // when its node goes, as behind a load balancer.
        await using var postingA = await ThreadReader.ConnectAsync(nodes, threadId, author.Token);
        await using var postingB = await ThreadReader.ConnectAsync(otherFirst, threadId, author.Token);
        await using var readerA = await ThreadReader.ConnectAsync(nodes, threadId);
        await using var readerB = await ThreadReader.ConnectAsync(otherFirst, threadId);
        Poster[] posters = [new(postingA, "a"), new(postingB, "b")];
        using var stop = new CancellationTokenSource();
        var posting = posters.Select(p => p.PostAsync(int.MaxValue, 2, clock, clock.Elapsed + TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), stop.Token)).ToArray();

        async Task RollAsync(string what, IEnumerable<HostProcess> hosts, string? sourceRoot)
        {
            foreach (var host in hosts.ToArray())
            {
                await cluster.ReplaceAsync(host, sourceRoot);
                // The cluster takes posts again after each step, before the next host goes.
                var acknowledged = posters.Sum(p => p.Acknowledged.Count);
                await Eventually.True(() => posters.Sum(p => p.Acknowledged.Count) >= acknowledged + 5, StepDeadline, $"posts acknowledged after replacing a {what}");
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: a {what} replaced; {acknowledged} acknowledged so far");
            }
        }

        await Eventually.True(() => posters.Sum(p => p.Acknowledged.Count) >= 20, StepDeadline, "posts acknowledged by the old cluster");
        // Upgrade: silos first, so that no caller of a grain is newer than the grain's silo; then web nodes.
        await RollAsync("silo (upgrade)", cluster.Silos, sourceRoot: null);
        await RollAsync("web node (upgrade)", cluster.Webs, sourceRoot: null);
        // A page of the new version, which the rollback then puts on old nodes.
        var newPage = await pages.OpenThreadAsync(nodes[0], threadId);
        // Rollback: the reverse order, web nodes first.
        await RollAsync("web node (rollback)", cluster.Webs, old);
        await RollAsync("silo (rollback)", cluster.Silos, old);
        stop.Cancel();
        await Task.WhenAll(posting);

        foreach (var poster in posters)
        {
            output.WriteLine($"poster: {poster.Acknowledged.Count} acknowledged, {poster.Failures} attempts retried (last: {poster.LastFailure}), slowest {poster.SlowestPost.TotalSeconds:0.0} s");
            Assert.Equal(poster.Started, poster.Acknowledged.Count);
        }
        var acknowledged = posters.SelectMany(p => p.Acknowledged).ToDictionary(p => p.Key, p => p.Value);
        var last = acknowledged.Keys.Max();
        // Nothing acknowledged is lost, nothing is stored twice: seqs 1..last are exactly the acknowledged posts.
        var stored = await author.GetCommentsAsync(threadId);
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), stored.Select(c => c.Seq));
        Assert.All(stored, c => Assert.Equal(acknowledged[c.Seq], c.Body));
        foreach (var reader in new[] { readerA, readerB })
        {
            await Eventually.True(() => reader.LastSeq == last, StepDeadline, $"a reader has all {last} comments (it has {reader.LastSeq})");
            Assert.Equal(stored.Select(c => c.Seq), reader.Received.Select(c => c.Seq));
            output.WriteLine($"reader: {reader.Failovers} failovers, {reader.GapFetches} gap fetches");
        }
        foreach (var page in oldPages.Append(newPage)) await page.ExpectAllAsync(last);
        output.WriteLine($"done at {clock.Elapsed.TotalSeconds:0} s; {last} comments");
    }

    /// <summary>Chromium through Playwright, as Chat.Browser.Tests launches it; one context per page.</summary>
    private sealed class ChromiumPages : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private ChromiumPages(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

        public static async Task<ChromiumPages> LaunchAsync()
        {
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            return new ChromiumPages(playwright, browser);
        }

        /// <summary>Opens /t/{id} on the node and waits until its live connection has joined the thread.</summary>
        public async Task<ThreadPageInBrowser> OpenThreadAsync(Uri node, string threadId)
        {
            var context = await _browser.NewContextAsync(new() { BaseURL = node.ToString() });
            var page = await context.NewPageAsync();
            var opened = new ThreadPageInBrowser(page);
            await page.GotoAsync($"/t/{threadId}");
            await Expect(page.Locator("body[data-connection=connected]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            return opened;
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }

    private sealed class ThreadPageInBrowser
    {
        private readonly IPage _page;
        private readonly List<string> _errors = [];

        public ThreadPageInBrowser(IPage page)
        {
            _page = page;
            page.PageError += (_, error) => { lock (_errors) _errors.Add(error); };
        }

        /// <summary>The page is connected and shows comments 1..last, each once, and none of its scripts threw.</summary>
        public async Task ExpectAllAsync(long last)
        {
            var timeout = new LocatorAssertionsToHaveAttributeOptions { Timeout = (float)StepDeadline.TotalMilliseconds };
            await Expect(_page.Locator("body")).ToHaveAttributeAsync("data-last-seq", last.ToString(), timeout);
            await Expect(_page.Locator("body")).ToHaveAttributeAsync("data-connection", "connected", timeout);
            await Expect(_page.Locator("#comments .comment")).ToHaveCountAsync((int)last);
            lock (_errors) Assert.True(_errors.Count == 0, $"the page on {_page.Url} threw: {string.Join(" | ", _errors)}");
        }
    }
}
