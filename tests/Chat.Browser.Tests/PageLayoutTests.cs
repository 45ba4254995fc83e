using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Chat.Browser.Tests;

/// <summary>
/// The six pages are composed from wwwroot/_layout.html and each page's &lt;main&gt; (see
/// Hosting/PagesExtensions.cs): each has the one header, its own script, and is cached like a file.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class PageLayoutTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData("/", "chat", "/js/front.js", "threads")]
    [InlineData("/index.html", "chat", "/js/front.js", "threads")]
    [InlineData("/t/abcdefghijkl", "chat", "/js/thread.js", "comments")]
    [InlineData("/thread.html", "chat", "/js/thread.js", "comments")]
    [InlineData("/login", "Login | chat", "/js/login.js", "login-form")]
    [InlineData("/submit", "Submit | chat", "/js/submit.js", "submit-form")]
    [InlineData("/u/someone", "user | chat", "/js/user.js", "profile")]
    [InlineData("/inbox", "inbox | chat", "/js/inbox.js", "inbox-items")]
    [InlineData("/search", "search | chat", "/js/search.js", "results")]
    public async Task A_page_has_the_shared_head_and_header_its_own_main_and_script_and_answers_a_repeat_visit_with_304(
        string path, string title, string script, string mainId)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var response = await http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!doctype html>", html);
        Assert.Contains($"<title>{title}</title>", html);
        Assert.Single(Regex.Matches(html, "<header class=\"topbar\">"));
        Assert.Single(Regex.Matches(html, "<div id=\"user-area\""));
        Assert.Single(Regex.Matches(html, "<main id=\"main\""));
        Assert.Contains($"id=\"{mainId}\"", html);
        Assert.Single(Regex.Matches(html, "<script type=\"module\""));
        Assert.Contains($"<script type=\"module\" src=\"{script}\"></script>", html);
        Assert.DoesNotContain("{{", html);
        Assert.DoesNotContain("PagesExtensions", html); // the pages' own comments stay in the files

        // A repeat visit: the browser's conditional request costs no body, as for a static file.
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.NotNull(response.Content.Headers.LastModified);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var again = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        // The page and its script are revalidated on every use, never taken from the cache unasked:
        // a page told to reload after an upgrade gets the new release's scripts, not the old ones.
        using var scriptResponse = await http.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, scriptResponse.StatusCode);
        foreach (var r in new[] { response, scriptResponse })
        {
            Assert.True(r.Headers.CacheControl?.NoCache, $"{r.RequestMessage?.RequestUri} says Cache-Control: no-cache");
            Assert.NotNull(r.Headers.ETag);
        }
    }

    [Fact]
    public async Task The_layout_is_not_served_on_its_own()
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var response = await http.GetAsync("/_layout.html");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("{{", await response.Content.ReadAsStringAsync());
    }
}
