using Chat.Contracts.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;
using Microsoft.Extensions.Options;

namespace Chat.Grains.Search;

/// <summary>
/// Lucene.Net 4.8 in the silo's process: each shard an index in a folder of its own under
/// Chat:Search:IndexDirectory. Words are split and lower-cased by Lucene's standard analyzer (Unicode
/// word breaks), without stop words, so that "to be or not to be" is a phrase that can be found.
/// </summary>
public sealed class LuceneSearchEngine(IOptions<SearchOptions> options, SearchCopies copies) : ISearchEngine
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Characters of text a snippet shows at most.</summary>
    public const int SnippetLength = 240;

    private static readonly Analyzer SharedAnalyzer = NewAnalyzer();

    public static Analyzer NewAnalyzer() => new StandardAnalyzer(Version, CharArraySet.Empty);

    public async Task<ISearchIndex> OpenAsync(int shard, string localScope, string sharedScope, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(options.Value.IndexRoot(), Safe(localScope), "shard-" + shard);
        System.IO.Directory.CreateDirectory(folder);
        var copy = copies.Container is { } container ? new BlobShardCopy(container, $"{Safe(sharedScope)}/shard-{shard}/") : null;
        return await LuceneShardIndex.OpenAsync(folder, copy, cancellationToken);
    }

    public Snippet Snippet(SearchQuery query, string text) => Snippets.Cut(query, text, SnippetLength);

    /// <summary>The analyzed words of text, with their places in it.</summary>
    public static List<(string Term, int Start, int End)> Tokens(string text)
    {
        var tokens = new List<(string, int, int)>();
        using var stream = SharedAnalyzer.GetTokenStream("body", new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) tokens.Add((term.ToString(), offset.StartOffset, offset.EndOffset));
        stream.End();
        return tokens;
    }

    private static string Safe(string scope) => new([.. scope.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}

/// <summary>Snippets: the text around the first matched word, and every matched word's range in it.</summary>
internal static class Snippets
{
    // The last text's words, per thread: a new comment that matches several standing queries has a
    // snippet cut for each, one after the other, from the same string.
    [ThreadStatic]
    private static (string? Text, List<(string Term, int Start, int End)>? Tokens) t_last;

    public static Snippet Cut(SearchQuery query, string text, int length)
    {
        var wanted = new HashSet<string>(query.Words.Concat(query.Phrases).SelectMany(w => LuceneSearchEngine.Tokens(w).Select(t => t.Term)), StringComparer.Ordinal);
        if (!ReferenceEquals(t_last.Text, text)) t_last = (text, LuceneSearchEngine.Tokens(text));
        var matches = t_last.Tokens!.Where(t => wanted.Contains(t.Term)).ToList();
        var start = 0;
        if (matches.Count > 0 && matches[0].Start > length / 4)
        {
            // A little context before the first match, starting at a word.
            start = matches[0].Start - length / 4;
            var space = text.IndexOf(' ', start);
            if (space >= 0 && space < matches[0].Start) start = space + 1;
        }
        var end = Math.Min(text.Length, start + length);
        if (end < text.Length && text.LastIndexOf(' ', end - 1, end - start) is var cut && cut > start + length / 2) end = cut;
        // Never split a surrogate pair.
        if (end < text.Length && end > 0 && char.IsHighSurrogate(text[end - 1])) end--;
        var prefix = start > 0 ? "…" : "";
        var suffix = end < text.Length ? "…" : "";
        var ranges = matches.Where(m => m.Start >= start && m.End <= end)
            .Select(m => new SnippetRange(m.Start - start + prefix.Length, m.End - m.Start)).ToArray();
        return new Snippet(prefix + text[start..end] + suffix, ranges);
    }
}
