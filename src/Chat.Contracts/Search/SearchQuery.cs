using System.Globalization;
using System.Text;

namespace Chat.Contracts.Search;

/// <summary>
/// A search query as the parser read it. Words and phrases must all match (title or text); excluded
/// words and phrases must not; authors (any of them), thread and the date range filter. Times are
/// UTC; From is inclusive, Until exclusive.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.SearchQuery")]
public sealed record SearchQuery(
    [property: Id(0)] string[] Words,
    [property: Id(1)] string[] Phrases,
    [property: Id(2)] string[] Excluded,
    [property: Id(3)] string[] Authors,
    [property: Id(4)] string? ThreadId,
    [property: Id(5)] DateTimeOffset? From,
    [property: Id(6)] DateTimeOffset? Until)
{
    public const int MaxLength = 500;
    public const int MaxClauses = 32;

    /// <summary>
    /// Reads <paramref name="text"/> (syntax in docs/api.md, "Search"): words, "quoted phrases",
    /// -excluded words or phrases, author:name, thread:ID, after:YYYY-MM-DD, before:YYYY-MM-DD.
    /// Throws <see cref="ChatException"/> (Invalid) with a message a person can act on.
    /// </summary>
    public static SearchQuery Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw ChatException.Invalid("q is empty: type at least one word to search for.");
        if (text.Length > MaxLength) throw ChatException.Invalid($"q is too long: {text.Length} characters, at most {MaxLength}.");
        List<string> words = [], phrases = [], excluded = [], authors = [];
        string? thread = null;
        DateTimeOffset? from = null, until = null;
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            var negated = text[i] == '-' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]);
            if (negated) i++;
            if (text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0) throw ChatException.Invalid($"The quote opened at character {i + 1} is not closed: end the phrase with \".");
                var phrase = Clean(text[(i + 1)..end]);
                i = end + 1;
                if (!phrase.Any(char.IsLetterOrDigit)) continue;
                (negated ? excluded : phrases).Add(phrase);
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"') i++;
            var token = text[start..i];
            var colon = token.IndexOf(':');
            if (colon > 0 && token[..colon].All(char.IsAsciiLetterLower) && !token.Contains("//", StringComparison.Ordinal))
            {
                if (negated) throw ChatException.Invalid($"\"-{token}\": a filter cannot be excluded; leave out the '-'.");
                var value = token[(colon + 1)..];
                if (value.Length == 0) throw ChatException.Invalid($"\"{token}\" has no value: write {token}something, without a space after the colon.");
                switch (token[..colon])
                {
                    case "author": authors.Add(value.ToLowerInvariant()); break;
                    case "thread":
                        if (!Limits.IsValidThreadId(value)) throw ChatException.Invalid($"thread:{value} names no thread: {Limits.CheckThreadId(value)}");
                        if (thread is not null && thread != value) throw ChatException.Invalid("Only one thread: filter per query.");
                        thread = value;
                        break;
                    case "after": from = Date(token, value); break;
                    case "before": until = Date(token, value); break;
                    default: throw ChatException.Invalid($"Unknown filter \"{token[..(colon + 1)]}\": the filters are author:, thread:, after: and before: (put a word with a colon in quotes to search for it).");
                }
                continue;
            }
            var word = Clean(token);
            // Punctuation alone is no word (the index holds words only).
            if (!word.Any(char.IsLetterOrDigit)) continue;
            (negated ? excluded : words).Add(word);
        }
        if (words.Count + phrases.Count + excluded.Count + authors.Count > MaxClauses)
            throw ChatException.Invalid($"Too many words: at most {MaxClauses} words, phrases and filters in one query.");
        if (from is { } f && until is { } u && f >= u) throw ChatException.Invalid("after: must be an earlier day than before:.");
        if (words.Count + phrases.Count + authors.Count == 0 && thread is null)
            throw ChatException.Invalid("Nothing to search for: give at least one word, phrase, author: or thread: (excluded words alone match everything).");
        return new([.. words], [.. phrases], [.. excluded], [.. authors.Distinct()], thread, from, until);
    }

    /// <summary>This query with the API's own filters (thread=, author=) added.</summary>
    public SearchQuery With(string? threadId, string? author)
    {
        var q = this;
        if (!string.IsNullOrEmpty(threadId))
        {
            if (!Limits.IsValidThreadId(threadId)) throw ChatException.Invalid($"thread: {Limits.CheckThreadId(threadId)}");
            if (q.ThreadId is not null && q.ThreadId != threadId) throw ChatException.Invalid("thread= and thread: in q name different threads.");
            q = q with { ThreadId = threadId };
        }
        if (!string.IsNullOrWhiteSpace(author)) q = q with { Authors = [.. q.Authors.Append(author.Trim().ToLowerInvariant()).Distinct()] };
        return q;
    }

    private static DateTimeOffset Date(string token, string value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day)
            ? new DateTimeOffset(day, TimeSpan.Zero)
            : throw ChatException.Invalid($"\"{token}\": dates are written YYYY-MM-DD (UTC), e.g. after:2026-01-31.");

    /// <summary>Letters, digits and inner punctuation of words; the analyzer does the rest.</summary>
    private static string Clean(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (var c in s) if (!char.IsControl(c)) b.Append(c);
        return b.ToString().Trim();
    }
}
