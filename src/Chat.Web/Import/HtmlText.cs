using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Chat.Web.Import;

/// <summary>
/// Turns the HTML of a Hacker News item's text into this site's comment format (plain text that
/// wwwroot/js/format.js renders: blank line = paragraph, "> " = quote, http(s) URLs linked).
/// HN's HTML is small: &lt;p&gt; between paragraphs, &lt;i&gt;, &lt;a href&gt;, &lt;pre&gt;&lt;code&gt;
/// blocks, and entities such as &amp;#x27; and &amp;#x2F;.
/// </summary>
/// <remarks>
/// Tags are dropped, never kept: bodies are shown as text, so any markup left in would show up
/// literally. Entities are decoded after the tags are gone, so "&amp;lt;b&amp;gt;" becomes the text
/// "&lt;b&gt;", as it read on HN. A link keeps its URL (the text HN shows for it is often cut short
/// with "..."); when its text says something else, both stay: "text (URL)".
/// </remarks>
public static partial class HtmlText
{
    [GeneratedRegex("""<(?<close>/?)(?<name>[a-zA-Z][a-zA-Z0-9]*)(?<attrs>[^>]*)>""")]
    private static partial Regex TagRegex();

    [GeneratedRegex("""\bhref\s*=\s*(?:"(?<v>[^"]*)"|'(?<v>[^']*)'|(?<v>[^\s>]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex HrefRegex();

    [GeneratedRegex("""\n{3,}""")]
    private static partial Regex ManyNewlines();

    [GeneratedRegex("""[ \t]+\n""")]
    private static partial Regex TrailingSpaces();

    public static string ToPlainText(string? html)
    {
        if (string.IsNullOrEmpty(html)) return "";
        var output = new StringBuilder(html.Length);
        var pre = 0;
        string? href = null;
        var linkText = new StringBuilder();
        var last = 0;

        void Text(string raw)
        {
            var text = WebUtility.HtmlDecode(pre > 0 ? raw : raw.Replace("\r", "").Replace('\n', ' '));
            var target = href is null ? output : linkText;
            // Outside code, spaces at the start of a line are left-overs of the HTML's layout.
            if (pre == 0 && (target.Length == 0 || target[^1] == '\n')) text = text.TrimStart(' ');
            target.Append(text);
        }

        foreach (Match tag in TagRegex().Matches(html))
        {
            Text(html[last..tag.Index]);
            last = tag.Index + tag.Length;
            var closing = tag.Groups["close"].Length > 0;
            switch (tag.Groups["name"].Value.ToLowerInvariant())
            {
                case "p":
                    if (!closing) Paragraph(output);
                    break;
                case "pre":
                    Paragraph(output);
                    pre = Math.Max(0, pre + (closing ? -1 : 1));
                    break;
                case "br":
                    output.Append('\n');
                    break;
                case "a" when !closing:
                    if (href is not null) EndLink(output, href, linkText);
                    var value = HrefRegex().Match(tag.Groups["attrs"].Value);
                    href = value.Success ? WebUtility.HtmlDecode(value.Groups["v"].Value).Trim() : "";
                    break;
                case "a" when href is not null:
                    EndLink(output, href, linkText);
                    href = null;
                    break;
            }
        }
        Text(html[last..]);
        if (href is not null) EndLink(output, href, linkText);

        var text = TrailingSpaces().Replace(output.ToString().Replace("\r", ""), "\n");
        return ManyNewlines().Replace(text, "\n\n").Trim('\n', ' ');
    }

    private static void Paragraph(StringBuilder output)
    {
        while (output.Length > 0 && output[^1] == ' ') output.Length--;
        if (output.Length == 0) return;
        output.Append("\n\n");
    }

    private static void EndLink(StringBuilder output, string href, StringBuilder linkText)
    {
        var text = linkText.ToString().Trim();
        linkText.Clear();
        var isWeb = Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if (!isWeb || text == href) output.Append(isWeb ? href : text);
        // HN shows long URLs cut short: "https://example.com/a/very/long/pa...".
        else if (text.Length == 0 || (text.EndsWith("...", StringComparison.Ordinal) && href.StartsWith(text[..^3], StringComparison.Ordinal))) output.Append(href);
        else output.Append(text).Append(" (").Append(href).Append(')');
    }
}
