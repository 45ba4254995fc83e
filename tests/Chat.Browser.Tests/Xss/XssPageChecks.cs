using Microsoft.Playwright;

namespace Chat.Browser.Tests.Xss;

/// <summary>
/// DOM checks run inside the page: what user text may have become. Returns a list of problems
/// (empty = clean), so that one failure message names everything that went wrong at once.
/// </summary>
public static class XssPageChecks
{
    /// <summary>Elements the UI itself builds inside the thread article (see thread.js, format.js).</summary>
    public static readonly string[] ThreadPageTags = ["h1", "a", "span", "div", "p", "br", "blockquote", "time", "form", "label", "textarea", "button", "nav", "select", "option"];

    /// <summary>Elements the UI builds for each entry of the moderation queue (see mod.js, format.js).</summary>
    public static readonly string[] ModPageTags = ["li", "div", "a", "span", "blockquote", "time", "ul", "button", "p", "br"];

    /// <summary>Elements the UI builds for each front-page item (see front.js).</summary>
    public static readonly string[] FrontPageTags = ["li", "span", "div", "a", "time"];

    /// <summary>The only scripts the pages load, all from the site itself.</summary>
    public static readonly string[] OwnScripts = ["/lib/signalr.min.js", "/js/thread.js", "/js/front.js", "/js/login.js", "/js/submit.js", "/js/api.js", "/js/format.js", "/js/inbox.js", "/js/mod.js", "/js/search.js", "/js/settings.js", "/js/user.js"];

    private const string Script = """
        (args) => {
          const problems = [];
          const allowed = new Set(args.allowedTags);
          const root = document.querySelector(args.root);
          if (!root) return ['no ' + args.root + ' on the page'];
          for (const e of root.querySelectorAll('*')) {
            const tag = e.tagName.toLowerCase();
            // The thread page's own "search this thread" form has inputs; an input anywhere else is not the UI's.
            if (!allowed.has(tag) && !(tag === 'input' && e.closest('form#thread-search')))
              problems.push(`injected <${tag}> in ${args.root}: ${e.outerHTML.slice(0, 120)}`);
          }
          // Anywhere on the page: no handler attributes, no foreign scripts or embedded documents.
          for (const e of document.querySelectorAll('*')) {
            for (const a of e.attributes) {
              if (a.name.toLowerCase().startsWith('on')) problems.push(`attribute ${a.name} on <${e.tagName.toLowerCase()}>`);
            }
          }
          for (const s of document.querySelectorAll('script')) {
            const src = s.getAttribute('src');
            if (!src) problems.push('inline <script>: ' + s.textContent.slice(0, 80));
            else if (!args.ownScripts.includes(new URL(src, location.href).pathname)) problems.push('foreign script ' + src);
          }
          for (const e of document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv], svg, math, img, video, audio, style, link:not([rel=icon]):not([rel=stylesheet])')) {
            problems.push(`element <${e.tagName.toLowerCase()}> on the page: ${e.outerHTML.slice(0, 120)}`);
          }
          // Links made from user text: http(s) only, never followed with the site's authority.
          for (const a of root.querySelectorAll('.body a')) {
            const href = a.getAttribute('href') ?? '';
            // A mention the server resolved: the user's page (names are [a-z0-9_-] only).
            if (a.classList.contains('mention') && /^\/u\/[a-z0-9_-]{3,32}$/.test(href)) continue;
            if (!/^https?:\/\//i.test(href)) problems.push('link in text with href ' + href);
            const rel = (a.getAttribute('rel') ?? '').split(/\s+/);
            if (!rel.includes('nofollow') || !rel.includes('noopener')) problems.push(`link ${href} has rel="${a.getAttribute('rel')}"`);
          }
          // Every other link is the UI's own: a permalink, a thread, a user page (names are
          // [a-z0-9_-] only), login, a comment order (?sort=), or an http(s) thread URL.
          for (const a of root.querySelectorAll('a')) {
            if (a.closest('.body')) continue;
            const href = a.getAttribute('href') ?? '';
            if (/^https?:\/\//i.test(href)) {
              const rel = (a.getAttribute('rel') ?? '').split(/\s+/);
              if (!rel.includes('nofollow') || !rel.includes('noopener')) problems.push(`title link ${href} has rel="${a.getAttribute('rel')}"`);
            } else if (!/^(#c\d+|\/t\/[a-z0-9]{12}(\?sort=(top|new|old))?(#c\d+)?|\/u\/[a-z0-9_-]{3,32}|\/login(\?return=.*)?)$/.test(href)) {
              problems.push(`link with unexpected href "${href}": ${a.outerHTML.slice(0, 120)}`);
            }
          }
          for (const b of root.querySelectorAll('.comment > .body')) {
            if (!b.checkVisibility()) problems.push('comment body not visible: ' + b.textContent.slice(0, 80));
          }
          if (window.__xss) problems.push('window.__xss was set');
          return problems;
        }
        """;

    public static async Task<string[]> ProblemsAsync(IPage page, string root, string[] allowedTags) =>
        await page.EvaluateAsync<string[]>(Script, new { root, allowedTags, ownScripts = OwnScripts });

    /// <summary>The Content-Security-Policy a page must carry: scripts from the site only, nothing inline.</summary>
    public static string? CspProblem(string? csp)
    {
        if (string.IsNullOrEmpty(csp)) return "no Content-Security-Policy header";
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var scriptSrc = directives.FirstOrDefault(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        if (scriptSrc != "script-src 'self'") return $"script-src is \"{scriptSrc}\", expected \"script-src 'self'\" (CSP: {csp})";
        if (csp.Contains("unsafe-inline", StringComparison.OrdinalIgnoreCase) || csp.Contains("unsafe-eval", StringComparison.OrdinalIgnoreCase))
            return "CSP allows unsafe-inline or unsafe-eval: " + csp;
        if (!directives.Contains("object-src 'none'")) return "CSP lacks object-src 'none': " + csp;
        return null;
    }
}
