using Chat.Contracts.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Chat.Grains.Search;

/// <summary>The index's field names.</summary>
internal static class Fields
{
    public const string Key = "key", Kind = "kind", Thread = "thread", Seq = "seq", Body = "body", Title = "title";
    public const string ThreadTitle = "thread_title", Author = "author", AuthorName = "author_name";
    public const string Created = "created", CreatedSort = "created_sort", Points = "points", PointsSort = "points_sort", Version = "version";
    public const string Mark = "mark", Watermark = "watermark";
    public const string DocKind = "doc", MarkKind = "mark";

    /// <summary>A title match counts this many times a text match: a thread named for the words comes first.</summary>
    public const float TitleBoost = 3f;
}

/// <summary>A parsed <see cref="SearchQuery"/> as a Lucene query: every word and phrase must match title or text.</summary>
internal static class LuceneQueries
{
    public static Query Build(SearchQuery q)
    {
        if (Text(q) is not { } all) return Nothing;
        all.Add(new TermQuery(new Term(Fields.Kind, Fields.DocKind)), Occur.MUST);
        if (q.Authors.Length > 0)
        {
            var authors = new BooleanQuery();
            foreach (var a in q.Authors) authors.Add(new TermQuery(new Term(Fields.Author, a)), Occur.SHOULD);
            all.Add(authors, Occur.MUST);
        }
        if (q.ThreadId is { } thread) all.Add(new TermQuery(new Term(Fields.Thread, thread)), Occur.MUST);
        if (q.From is not null || q.Until is not null)
            all.Add(NumericRangeQuery.NewInt64Range(Fields.Created, q.From?.UtcTicks, q.Until?.UtcTicks, true, false), Occur.MUST);
        return all;
    }

    /// <summary>Matches no document.</summary>
    public static Query Nothing => new TermQuery(new Term(Fields.Kind, "none"));

    /// <summary>
    /// The words, phrases and excluded words alone (title or text), without the filters: what a
    /// standing query asks of one new document; null when a word is one no document can hold.
    /// A query of filters only (author:, thread:) has no words: it matches every document.
    /// </summary>
    public static BooleanQuery? Text(SearchQuery q)
    {
        var all = new BooleanQuery();
        foreach (var text in q.Words.Concat(q.Phrases))
        {
            // A word the index cannot hold (no letters it keeps, or longer than a term may be) is in no document.
            if (TitleOrBody(text) is not { } clause) return null;
            all.Add(clause, Occur.MUST);
        }
        foreach (var text in q.Excluded)
            if (TitleOrBody(text) is { } clause) all.Add(clause, Occur.MUST_NOT);
        return all;
    }

    /// <summary>A word (or phrase: several words in a row) in the title or the text; null when it has no word at all (only punctuation).</summary>
    private static BooleanQuery? TitleOrBody(string text)
    {
        var terms = LuceneSearchEngine.Tokens(text).Select(t => t.Term).ToList();
        if (terms.Count == 0) return null;
        var either = new BooleanQuery();
        foreach (var (field, boost) in new[] { (Fields.Title, Fields.TitleBoost), (Fields.Body, 1f) })
        {
            Query one;
            if (terms.Count == 1) one = new TermQuery(new Term(field, terms[0]));
            else
            {
                var phrase = new PhraseQuery();
                foreach (var t in terms) phrase.Add(new Term(field, t));
                one = phrase;
            }
            one.Boost = boost;
            either.Add(one, Occur.SHOULD);
        }
        return either;
    }
}
