using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests.Xss;

/// <summary>
/// The XSS corpus (xss-payloads.txt) posted everywhere user text goes: thread titles, thread bodies,
/// comment bodies (from history and live pushes), thread URLs and user names. Chromium then opens
/// every page where they show: no dialog, no injected element or handler attribute, user links
/// http(s) only with rel="nofollow noopener", and every payload visible as plain text.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class XssCorpusTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string UrlRefusal = "URL must be an absolute http:// or https:// address.";
    private static readonly IReadOnlyList<string> Payloads = XssCorpus.Payloads;

    [Fact]
    public void The_corpus_has_at_least_50_payloads_and_none_spans_lines()
    {
        Assert.True(Payloads.Count >= 50, $"only {Payloads.Count} payloads");
        Assert.All(Payloads, p => Assert.DoesNotContain('\n', p));
        Assert.Equal(Payloads.Count, Payloads.Distinct().Count());
    }

    [Fact]
    public async Task Payloads_in_titles_bodies_comments_and_urls_show_as_text_and_never_run()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);

        // Titles: every payload whole, several per thread (a title holds 300 characters).
        var titles = XssCorpus.Chunks(Payloads, Limits.TitleMaxLength, " \u00b7 ");
        var urlCandidates = new Queue<string>(Payloads.Where(XssCorpus.LooksHttp));
        var threads = new List<SeededThread>();
        for (var i = 0; i < titles.Count; i++)
        {
            var body = string.Join(i % 2 == 0 ? "\n" : "\n\n", Payloads);
            var url = urlCandidates.TryDequeue(out var u) ? u : null;
            var response = await poster.Http.PostAsJsonAsync("/api/threads", new { title = titles[i], url, body });
            if (url is not null && response.StatusCode == HttpStatusCode.BadRequest)
            {
                // An http(s)-looking URL may still be refused (not absolute, unparseable): then clearly.
                Assert.Equal(UrlRefusal, await DetailAsync(response));
                output.WriteLine($"refused as thread URL: {url}");
                url = null;
                response = await poster.Http.PostAsJsonAsync("/api/threads", new { title = titles[i], url, body });
            }
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"create thread {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            threads.Add(new SeededThread(id, titles[i], url, body));
        }

        // Comments: every payload once, spread over the threads; some are replies.
        for (var k = 0; k < Payloads.Count; k++) threads[k % threads.Count].Comments.Add(Payloads[k]);

        // The first half of each thread's comments is history when the page opens.
        foreach (var thread in threads)
            for (var k = 0; k < thread.Comments.Count / 2; k++) await PostAsync(poster, thread, k);

        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Type + ": " + dialog.Message); _ = dialog.DismissAsync(); };

        // Front page: every title (and URL) as text.
        var front = await page.GotoAsync("/");
        Assert.Null(XssPageChecks.CspProblem(await front!.HeaderValueAsync("content-security-policy")));
        foreach (var thread in threads)
            await Expect(page.Locator($"li[data-id='{thread.Id}'] .title")).ToHaveTextAsync(thread.Title, new() { UseInnerText = false });
        var frontProblems = await XssPageChecks.ProblemsAsync(page, "#threads", XssPageChecks.FrontPageTags);
        Assert.True(frontProblems.Length == 0, "front page: " + string.Join("\n", frontProblems));
        foreach (var thread in threads.Where(t => t.Url is not null))
        {
            var href = await page.Locator($"li[data-id='{thread.Id}'] .title").GetAttributeAsync("href");
            Assert.Matches("^https?://", href);
        }

        foreach (var thread in threads)
        {
            var response = await page.GotoAsync($"/t/{thread.Id}");
            Assert.Null(XssPageChecks.CspProblem(await response!.HeaderValueAsync("content-security-policy")));
            await ThreadPage.ExpectConnectedAsync(page);
            // The second half arrives live, through the hub's pushes.
            for (var k = thread.Comments.Count / 2; k < thread.Comments.Count; k++) await PostAsync(poster, thread, k);
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-last-seq", thread.Comments.Count.ToString(), new() { Timeout = 10_000 });

            var problems = await XssPageChecks.ProblemsAsync(page, "#thread", XssPageChecks.ThreadPageTags);
            Assert.True(problems.Length == 0, $"/t/{thread.Id}: " + string.Join("\n", problems));

            Assert.Equal(thread.Title, await page.Locator("#thread-title").TextContentAsync());
            var titleHref = await page.Locator("#thread-title").GetAttributeAsync("href");
            if (thread.Url is null) Assert.Equal($"/t/{thread.Id}", titleHref);
            else Assert.Matches("^https?://", titleHref);
            var threadBody = await page.Locator("#thread-body").TextContentAsync();
            foreach (var payload in Payloads) Assert.True(threadBody!.Contains(payload, StringComparison.Ordinal), $"thread body of {thread.Id} lacks the text {payload}");

            var shown = await page.EvaluateAsync<string[][]>(
                "() => [...document.querySelectorAll('#comments .comment')].map(c => [c.dataset.seq, c.querySelector(':scope > .body').textContent, c.querySelector(':scope > .comhead .author').textContent])");
            Assert.Equal(thread.Comments.Count, shown.Length);
            foreach (var row in shown)
            {
                var seq = int.Parse(row[0]);
                Assert.Equal(thread.Comments[seq - 1], row[1]);
                Assert.Equal(poster.UserName, row[2]);
            }

            // In "top" order (pages cut by the server), and with a payload as the order in the address.
            foreach (var sort in thread == threads[0] ? new[] { "top", Payloads[0] } : ["top"])
            {
                await page.GotoAsync($"/t/{thread.Id}?sort={Uri.EscapeDataString(sort)}");
                await ThreadPage.ExpectConnectedAsync(page);
                await Expect(page.Locator("#comments .comment")).ToHaveCountAsync(thread.Comments.Count, new() { Timeout = 10_000 });
                var ordered = await XssPageChecks.ProblemsAsync(page, "#thread", XssPageChecks.ThreadPageTags);
                Assert.True(ordered.Length == 0, $"/t/{thread.Id}?sort={sort}: " + string.Join("\n", ordered));
            }
        }

        lock (dialogs) Assert.True(dialogs.Count == 0, "dialogs fired: " + string.Join(" | ", dialogs));
        reader.AssertNoScriptErrors();
        output.WriteLine($"{Payloads.Count} payloads checked in {threads.Count} threads ({threads.Count(t => t.Url is not null)} with an http(s) payload URL)");
    }

    [Fact]
    public async Task Non_http_thread_urls_are_refused_with_a_clear_problem_and_nothing_is_stored()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        string[] extra = ["//evil.example/x", "/t/abcdefghijkl", "file:///etc/passwd", "ftp://example.com/", " javascript:alert(1)", "JAVASCRIPT:alert(1)",
            "data:,alert(1)", "vbscript:alert(1)", "blob:https://example.com/x", "http:alert(1)", "https:/example.com", "mailto:a@example.com"];
        var refusedTitles = new List<string>();
        foreach (var url in Payloads.Concat(extra))
        {
            var title = "url probe " + Guid.NewGuid().ToString("N")[..8];
            var response = await poster.Http.PostAsJsonAsync("/api/threads", new { title, url });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                // Accepted only when it really is an http(s) address, as the browser will see it too.
                Assert.True(XssCorpus.LooksHttp(url.Trim()), $"accepted as thread URL: {url}");
                Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", $"accepted as thread URL: {url}");
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"URL {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(UrlRefusal, await DetailAsync(response));
            refusedTitles.Add(title);
        }
        Assert.True(refusedTitles.Count >= 30, $"only {refusedTitles.Count} URLs refused");

        var listed = await poster.Http.GetFromJsonAsync<JsonElement[]>("/api/threads?sort=new&limit=500");
        var stored = listed!.Select(t => t.GetProperty("title").GetString()).Intersect(refusedTitles).ToArray();
        Assert.True(stored.Length == 0, "refused threads were stored: " + string.Join(", ", stored));
    }

    [Fact]
    public async Task Payloads_as_user_names_are_refused_and_odd_valid_names_show_as_plain_text()
    {
        var nameRefusal = Limits.CheckUserName(null);
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        foreach (var name in Payloads)
        {
            var register = await anonymous.Http.PostAsJsonAsync("/api/auth/register", new { userName = name, password = BrowserFixture.Password });
            Assert.True(register.StatusCode == HttpStatusCode.BadRequest, $"register {name}: {(int)register.StatusCode}");
            Assert.Equal(nameRefusal, await DetailAsync(register));
            var login = await anonymous.Http.PostAsJsonAsync("/api/auth/login", new { userName = name, password = BrowserFixture.Password });
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        // Names that pass the rules but look like markup or tricks: stored normalized, shown as text.
        var tag = Guid.NewGuid().ToString("N")[..6];
        string[] oddNames = [$"onerror_{tag}", $"-script-{tag}", $"JAVASCRIPT_{tag}", $"\u212Aelvin{tag}", $"  padded{tag}  ", $"___{tag}"];
        var threadIds = new List<(string Id, string Author)>();
        foreach (var name in oddNames)
        {
            using var client = ChatApiClient.Anonymous(fixture.BaseAddress);
            var register = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName = name, password = BrowserFixture.Password });
            Assert.True(register.StatusCode == HttpStatusCode.Created, $"register {name}: {(int)register.StatusCode} {await register.Content.ReadAsStringAsync()}");
            var stored = (await register.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userName").GetString()!;
            Assert.Matches("^[a-z0-9_-]{3,32}$", stored);
            var created = await client.Http.PostAsJsonAsync("/api/threads", new { title = "<b>by</b> " + stored });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            (await client.Http.PostAsJsonAsync($"/api/threads/{id}/comments", new { parentSeq = 0, body = "<i>hi</i> from " + stored, clientId = "c1" })).EnsureSuccessStatusCode();
            threadIds.Add((id, stored));
        }

        await using var reader = await fixture.SignedUpAsync();
        var page = reader.Page;
        var dialogs = 0;
        page.Dialog += (_, dialog) => { Interlocked.Increment(ref dialogs); _ = dialog.DismissAsync(); };
        await page.GotoAsync("/");
        foreach (var (id, author) in threadIds)
            await Expect(page.Locator($"li[data-id='{id}'] .author")).ToHaveTextAsync(author);
        var problems = await XssPageChecks.ProblemsAsync(page, "#threads", XssPageChecks.FrontPageTags);
        Assert.True(problems.Length == 0, "front page: " + string.Join("\n", problems));

        var (firstId, firstAuthor) = threadIds[0];
        await reader.OpenThreadAsync(firstId);
        await Expect(page.Locator("#comments .comment .author")).ToHaveTextAsync(firstAuthor);
        await Expect(page.Locator("#thread-meta .author")).ToHaveTextAsync(firstAuthor);
        problems = await XssPageChecks.ProblemsAsync(page, "#thread", XssPageChecks.ThreadPageTags);
        Assert.True(problems.Length == 0, "thread page: " + string.Join("\n", problems));
        Assert.Equal(0, dialogs);
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Every_html_page_carries_a_csp_with_script_src_self_and_no_inline_script()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        string[] pages = ["/", "/index.html", $"/t/{threadId}", "/t/abcdefghijkl", "/t/NOT-A-THREAD", "/login", "/login?return=%2Ft%2Fx", "/login.html", "/submit", "/submit.html", "/thread.html", "/mod", "/mod.html"];
        foreach (var path in pages)
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var csp = response.Headers.TryGetValues("Content-Security-Policy", out var values) ? string.Join(",", values) : null;
            Assert.True(XssPageChecks.CspProblem(csp) is null, $"{path}: {XssPageChecks.CspProblem(csp)}");
            // The policy can forbid inline script only because the pages have none.
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(@"<script(?![^>]*\ssrc=)[^>]*>", html);
            Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
        }
        // Problems (API errors) carry it too, as does every other response.
        using var problem = await http.GetAsync("/api/threads/NOT-A-THREAD");
        Assert.Null(XssPageChecks.CspProblem(string.Join(",", problem.Headers.GetValues("Content-Security-Policy"))));
    }

    private static async Task PostAsync(ChatApiClient poster, SeededThread thread, int index)
    {
        var parentSeq = index % 3 == 2 ? index : 0; // every third comment replies to the one before it
        var seq = await poster.PostCommentSeqAsync(thread.Id, parentSeq, thread.Comments[index]);
        Assert.Equal(index + 1, seq);
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();

    private sealed record SeededThread(string Id, string Title, string? Url, string Body)
    {
        public List<string> Comments { get; } = [];
    }
}
