using Chat.Web.Import;

namespace Chat.Web.Tests;

/// <summary>Hacker News item HTML to this site's plain-text bodies (paragraphs, quotes, bare URLs).</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class HtmlTextTests
{
    [Theory]
    [InlineData("It&#x27;s &quot;fine&quot; &amp; done", "It's \"fine\" & done")]
    [InlineData("First paragraph.<p>Second one.<p>Third.", "First paragraph.\n\nSecond one.\n\nThird.")]
    [InlineData("<p>Wrapped</p><p>paragraphs</p>", "Wrapped\n\nparagraphs")]
    [InlineData("An <i>italic</i> and <b>bold</b> word", "An italic and bold word")]
    [InlineData("&gt; quoted line<p>my answer", "> quoted line\n\nmy answer")]
    [InlineData("Literal &lt;script&gt;alert(1)&lt;&#x2F;script&gt;", "Literal <script>alert(1)</script>")]
    [InlineData("line one<br>line two", "line one\nline two")]
    [InlineData("raw\nnewlines are spaces", "raw newlines are spaces")]
    [InlineData("", "")]
    public void Converts_text_and_entities(string html, string expected) =>
        Assert.Equal(expected, HtmlText.ToPlainText(html));

    [Fact]
    public void A_link_keeps_its_url_even_when_hn_shows_it_cut_short()
    {
        const string html = """See <a href="https:&#x2F;&#x2F;example.com&#x2F;a&#x2F;very&#x2F;long&#x2F;path?x=1&amp;y=2" rel="nofollow">https:&#x2F;&#x2F;example.com&#x2F;a&#x2F;very&#x2F;lo...</a>.""";
        Assert.Equal("See https://example.com/a/very/long/path?x=1&y=2.", HtmlText.ToPlainText(html));
    }

    [Fact]
    public void A_link_whose_text_says_something_else_keeps_both()
    {
        Assert.Equal("read the docs (https://example.org/docs) first",
            HtmlText.ToPlainText("""read <a href="https://example.org/docs">the docs</a> first"""));
    }

    [Fact]
    public void A_link_to_anything_but_http_keeps_only_its_text()
    {
        Assert.Equal("click me", HtmlText.ToPlainText("""<a href="javascript:alert(1)">click me</a>"""));
    }

    [Fact]
    public void Code_blocks_keep_their_lines_and_indentation()
    {
        const string html = "Try this:<p><pre><code>  if (x)\n    y();\n</code></pre>\nWorks.";
        Assert.Equal("Try this:\n\n  if (x)\n    y();\n\nWorks.", HtmlText.ToPlainText(html));
    }
}
