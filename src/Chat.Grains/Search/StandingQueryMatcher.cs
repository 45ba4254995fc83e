using Chat.Contracts.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Index.Memory;
using Lucene.Net.Search;

namespace Chat.Grains.Search;

/// <summary>
/// Matches one new document at a time against many standing queries, with the query language and
/// analysis of /api/search: the document goes into a one-document index (Lucene's MemoryIndex) and
/// each candidate query is run on it. Candidates are found first by an anchor: each query's longest
/// word that every match must contain (a required word or a word of a required phrase), so a
/// comment is only searched with the queries one of whose anchors it holds, plus the queries that
/// have none (filters only: author:, thread:). The filters (author:, thread:, dates) are compared
/// directly. A query of single-token words and exclusions only (most are) needs no index at all:
/// it matches when the document's words hold all of its words and none of the excluded ones. What
/// may be shown is the caller's part: it hands over only shown comments.
/// </summary>
/// <remarks>Not thread-safe: it lives in a grain.</remarks>
public sealed class StandingQueryMatcher
{
    private readonly Analyzer _analyzer = LuceneSearchEngine.NewAnalyzer();
    private readonly Dictionary<string, Compiled> _queries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byAnchor = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unanchored = new(StringComparer.Ordinal);

    public int Count => _queries.Count;

    public bool Contains(string key) => _queries.ContainsKey(key);

    public void Add(StandingQuery standing)
    {
        if (_queries.ContainsKey(standing.Key)) return;
        var q = standing.Query;
        var text = LuceneQueries.Text(q);
        Query? lucene = text;
        if (text is not null && text.Clauses.All(c => c.Occur == Occur.MUST_NOT)) text.Add(new MatchAllDocsQuery(), Occur.MUST);
        // A word no document can hold: the query matches nothing, and is kept only to be counted.
        if (text is null) lucene = null;
        var anchor = q.Words.Concat(q.Phrases).SelectMany(w => LuceneSearchEngine.Tokens(w)).Select(t => t.Term)
            .OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).FirstOrDefault();
        _queries[standing.Key] = new Compiled(q, lucene, anchor, TermsOnly(q.Words), q.Phrases.Length == 0 ? TermsOnly(q.Excluded) : null);
        if (lucene is null) return;
        if (anchor is null) _unanchored.Add(standing.Key);
        else if (_byAnchor.TryGetValue(anchor, out var keys)) keys.Add(standing.Key);
        else _byAnchor[anchor] = new HashSet<string>(StringComparer.Ordinal) { standing.Key };
    }

    public void Remove(string key)
    {
        if (!_queries.Remove(key, out var compiled)) return;
        _unanchored.Remove(key);
        if (compiled.Anchor is { } anchor && _byAnchor.TryGetValue(anchor, out var keys) && keys.Remove(key) && keys.Count == 0) _byAnchor.Remove(anchor);
    }

    /// <summary>The keys of the queries the document matches, with each one's query (for its snippet).</summary>
    public List<(string Key, SearchQuery Query)> Match(SearchDocument doc)
    {
        var found = new List<(string, SearchQuery)>();
        if (_queries.Count == 0) return found;
        var candidates = new List<string>(_unanchored);
        HashSet<string>? docWords = null;
        if (_byAnchor.Count > 0)
        {
            docWords = Words(doc);
            foreach (var term in docWords)
                if (_byAnchor.TryGetValue(term, out var keys)) candidates.AddRange(keys);
        }
        if (candidates.Count == 0) return found;
        MemoryIndex? index = null;
        var words = docWords;
        var author = doc.Author.ToLowerInvariant();
        foreach (var key in candidates)
        {
            var c = _queries[key];
            if (!Passes(c.Query, doc, author)) continue;
            if (c.Required is not null && c.Excluded is not null)
            {
                words ??= Words(doc);
                if (c.Required.All(words.Contains) && !c.Excluded.Any(words.Contains)) found.Add((key, c.Query));
                continue;
            }
            if (index is null)
            {
                index = new MemoryIndex();
                index.AddField(Fields.Body, doc.Text, _analyzer);
                // As in the shard's index, only the thread's own document has the title.
                if (doc.Seq == 0) index.AddField(Fields.Title, doc.ThreadTitle, _analyzer);
            }
            if (index.Search(c.Lucene!) > 0) found.Add((key, c.Query));
        }
        return found;
    }

    /// <summary>The document's words: its text's, and its title's on a thread's own document (a word may match either).</summary>
    private static HashSet<string> Words(SearchDocument doc)
    {
        var terms = LuceneSearchEngine.Tokens(doc.Text).Select(t => t.Term);
        if (doc.Seq == 0) terms = terms.Concat(LuceneSearchEngine.Tokens(doc.ThreadTitle).Select(t => t.Term));
        return terms.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Each text's one token; null when one of them is several (a phrase then) or none.</summary>
    private static string[]? TermsOnly(string[] texts)
    {
        var terms = new string[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            var tokens = LuceneSearchEngine.Tokens(texts[i]);
            if (tokens.Count != 1) return null;
            terms[i] = tokens[0].Term;
        }
        return terms;
    }

    private static bool Passes(SearchQuery q, SearchDocument doc, string author) =>
        (q.ThreadId is null || q.ThreadId == doc.ThreadId)
        && (q.Authors.Length == 0 || q.Authors.Contains(author, StringComparer.Ordinal))
        && (q.From is null || doc.CreatedAt >= q.From)
        && (q.Until is null || doc.CreatedAt < q.Until);

    /// <summary>Required and Excluded: the query's words as single terms, when they all are and it has no phrase (no index needed); else null.</summary>
    private sealed record Compiled(SearchQuery Query, Query? Lucene, string? Anchor, string[]? Required, string[]? Excluded);
}
