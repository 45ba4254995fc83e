using Chat.Contracts.Search;

namespace Chat.Web.Tests;

/// <summary>The search query language (docs/api.md, "Search"): what each piece of a query means, and what is refused.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class SearchQueryTests
{
    [Fact]
    public void Words_phrases_exclusions_and_filters_are_read()
    {
        var q = SearchQuery.Parse("orleans \"grain state\" -redis author:Alice thread:abcdefghijkl after:2026-01-01 before:2026-02-01");

        Assert.Equal(["orleans"], q.Words);
        Assert.Equal(["grain state"], q.Phrases);
        Assert.Equal(["redis"], q.Excluded);
        Assert.Equal(["alice"], q.Authors);
        Assert.Equal("abcdefghijkl", q.ThreadId);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), q.From);
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), q.Until);
    }

    [Fact]
    public void A_url_and_a_hyphenated_word_are_words_not_filters_or_exclusions()
    {
        var q = SearchQuery.Parse("https://example.com well-known");

        Assert.Equal(["https://example.com", "well-known"], q.Words);
        Assert.Empty(q.Excluded);
    }

    [Theory]
    [InlineData("\"open", "not closed")]
    [InlineData("lang:en", "Unknown filter")]
    [InlineData("author:", "has no value")]
    [InlineData("-author:bob word", "cannot be excluded")]
    [InlineData("after:2026-13-01 x", "YYYY-MM-DD")]
    [InlineData("x after:2026-02-01 before:2026-01-01", "earlier day")]
    [InlineData("!!! ???", "Nothing to search for")]
    [InlineData("   ", "q is empty")]
    public void What_the_parser_cannot_read_is_refused_with_a_reason(string text, string reason)
    {
        var refused = Assert.Throws<ChatException>(() => SearchQuery.Parse(text));

        Assert.Equal(ChatErrorKind.Invalid, refused.Kind);
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public void The_api_filters_add_to_the_query()
    {
        var q = SearchQuery.Parse("word author:bob").With("abcdefghijkl", "Carol");

        Assert.Equal("abcdefghijkl", q.ThreadId);
        Assert.Equal(["bob", "carol"], q.Authors);
        Assert.Throws<ChatException>(() => SearchQuery.Parse("word thread:abcdefghijkl").With("bbbbbbbbbbbb", null));
    }
}
