using Chat.Contracts.Search;
using Chat.Grains.Search;

namespace Chat.Grains.Tests;

/// <summary>
/// The standing-query matcher on its own: a new document matches the queries /api/search would
/// find it with (words, phrases, exclusions, title words on a thread only, author:, thread:, dates),
/// and no other; queries are counted once however often they are added.
/// </summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class StandingQueryMatcherTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static SearchDocument Comment(string text, string author = "Alice", string thread = "t1", long seq = 1, DateTimeOffset? at = null) =>
        new(thread, seq, "A thread title", text, author, at ?? Now, 0, 1);

    private static List<string> Matching(SearchDocument doc, params string[] queries)
    {
        var matcher = new StandingQueryMatcher();
        foreach (var q in queries) matcher.Add(StandingQuery.Of(SearchQuery.Parse(q)));
        return [.. matcher.Match(doc).Select(m => queries.Single(q => StandingQuery.Of(SearchQuery.Parse(q)).Key == m.Key)).Order()];
    }

    [Fact]
    public void A_comment_matches_the_queries_whose_words_and_phrases_it_holds_and_not_the_others()
    {
        var doc = Comment("Grain state is written after each batch, Orleans-style.");

        var found = Matching(doc, "grain", "GRAIN state", "\"state is written\"", "\"written is state\"", "grain -batch", "grain -redis", "redis", "orleans",
            "orleans-style", "style-orleans", "grain -\"each batch\"", "grain -\"batch each\"");

        Assert.Equal(["\"state is written\"", "GRAIN state", "grain", "grain -\"batch each\"", "grain -redis", "orleans", "orleans-style"], found);
    }

    [Fact]
    public void Title_words_match_the_thread_itself_not_its_comments()
    {
        Assert.Empty(Matching(Comment("nothing here"), "title"));
        Assert.Equal(["title"], Matching(new SearchDocument("t1", 0, "A thread title", "", "alice", Now, 0, 1), "title"));
    }

    [Fact]
    public void Author_thread_and_date_filters_are_honoured_also_without_words()
    {
        var doc = Comment("filters everywhere", author: "Alice", thread: "abcdefghijk1");

        var found = Matching(doc, "author:alice", "author:bob", "filters author:ALICE", "filters author:bob", "thread:abcdefghijk1", "filters thread:abcdefghijk2",
            "filters after:2026-03-10", "filters after:2026-03-11", "filters before:2026-03-10", "author:alice -everywhere");

        Assert.Equal(["author:alice", "filters after:2026-03-10", "filters author:ALICE", "thread:abcdefghijk1"], found);
    }

    [Fact]
    public void A_query_added_twice_is_one_and_a_removed_one_matches_no_more()
    {
        var matcher = new StandingQueryMatcher();
        var q = StandingQuery.Of(SearchQuery.Parse("grain"));
        matcher.Add(q);
        matcher.Add(StandingQuery.Of(SearchQuery.Parse("grain")));
        Assert.Equal(1, matcher.Count);
        Assert.Single(matcher.Match(Comment("a grain")));

        matcher.Remove(q.Key);

        Assert.Equal(0, matcher.Count);
        Assert.Empty(matcher.Match(Comment("a grain")));
    }

    [Fact]
    public void Only_queries_anchored_on_a_word_of_the_comment_are_run_among_a_thousand()
    {
        var matcher = new StandingQueryMatcher();
        for (var i = 0; i < 1000; i++) matcher.Add(StandingQuery.Of(SearchQuery.Parse($"word{i} common")));

        var found = matcher.Match(Comment("common word417 and word9"));

        Assert.Equal(2, found.Count);
        Assert.Empty(matcher.Match(Comment("common alone")));
    }
}
