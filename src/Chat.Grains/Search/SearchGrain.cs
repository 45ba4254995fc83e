using System.Globalization;
using System.Text;
using Chat.Contracts.Search;
using Chat.Grains.Storage;
using Microsoft.Extensions.Options;

namespace Chat.Grains.Search;

/// <summary>
/// Answers a search: every shard gives its best (offset + limit) matches, they are merged, and the
/// page's hits are checked against the comment log, so that what is shown is what readers may see
/// now: a deleted or hidden comment is left out (and its shard told to drop it), an edited one shows
/// its new text and current points. Paging is by offset in the merged order (the cursor holds it).
/// </summary>
[StatelessWorker]
public sealed class SearchGrain(ISearchEngine engine, ICommentLog log, IOptions<SearchOptions> options, SearchMetrics metrics) : Grain, ISearchGrain
{
    public async Task<SearchResult> Search(SearchRequest request)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await AnswerAsync(request);
        metrics.Query(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return result;
    }

    private async Task<SearchResult> AnswerAsync(SearchRequest request)
    {
        if (!SearchSort.IsKnown(request.Sort)) throw ChatException.Invalid("sort must be relevance or new.");
        if (request.Limit is < 1 or > SearchRequest.MaxLimit) throw ChatException.Invalid($"limit must be 1 to {SearchRequest.MaxLimit}.");
        var offset = Cursor.Read(request.Cursor);
        var depth = offset + request.Limit;
        var shards = request.Query.ThreadId is { } thread
            ? [SearchShards.Of(thread, options.Value.Shards)]
            : Enumerable.Range(0, options.Value.Shards);
        var answers = await Task.WhenAll(shards.Select(s => GrainFactory.GetGrain<ISearchShardGrain>(s).Query(request.Query, request.Sort, depth)));
        var merged = answers.SelectMany(a => a.Hits);
        merged = request.Sort == SearchSort.New
            ? merged.OrderByDescending(h => h.CreatedAt).ThenBy(h => h.ThreadId, StringComparer.Ordinal).ThenByDescending(h => h.Seq)
            : merged.OrderByDescending(h => h.Score).ThenByDescending(h => h.CreatedAt).ThenBy(h => h.ThreadId, StringComparer.Ordinal).ThenByDescending(h => h.Seq);
        var all = merged.Take(depth).ToList();
        var page = all.Skip(offset).ToList();
        var total = answers.Sum(a => a.Total);
        var checkedHits = await Task.WhenAll(page.Select(h => AsShownNowAsync(h, request.Query)));
        var more = all.Count == depth && total > depth && depth < SearchRequest.MaxDepth;
        return new SearchResult([.. checkedHits.OfType<SearchHit>()], total, more ? Cursor.Write(depth) : null);
    }

    public Task Watch(string nodeId, IStandingQueryObserver observer, StandingQuery[] queries, bool replace)
    {
        var shards = options.Value.Shards;
        // A thread: query can only match in its thread's shard; on a refresh every shard hears the
        // node's whole set for it, so one that no longer applies is dropped there.
        return Task.WhenAll(Enumerable.Range(0, shards).Select(shard =>
        {
            var mine = queries.Where(q => q.Query.ThreadId is not { } t || SearchShards.Of(t, shards) == shard).ToArray();
            return mine.Length > 0 || replace ? GrainFactory.GetGrain<ISearchShardGrain>(shard).Watch(nodeId, observer, mine, replace) : Task.CompletedTask;
        }));
    }

    private async Task<SearchHit?> AsShownNowAsync(ShardHit hit, SearchQuery query)
    {
        var (author, text, points, created) = (hit.Author, hit.Text, hit.Points, hit.CreatedAt);
        if (hit.Seq > 0)
        {
            var stored = await log.ReadOneAsync(hit.ThreadId, hit.Seq);
            if (stored?.Comment is not { } now) return null;
            if (!SearchDocument.Shown(now))
            {
                // The shard missed the delete or hide: it drops the comment now.
                GrainFactory.GetGrain<ISearchShardGrain>(SearchShards.Of(hit.ThreadId, options.Value.Shards)).Changed(now).Ignore();
                return null;
            }
            (author, text, points, created) = (now.Author, now.Body, now.Points, now.CreatedAt);
        }
        var snippet = engine.Snippet(query, text.Length > 0 ? text : hit.ThreadTitle);
        return new SearchHit(hit.ThreadId, hit.ThreadTitle, hit.Seq, author, created, snippet, points);
    }

    /// <summary>An opaque cursor: the offset of the next page, so that no client builds one by hand.</summary>
    internal static class Cursor
    {
        private const string Prefix = "o1:";

        public static string Write(int offset) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + offset.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static int Read(string? cursor)
        {
            if (string.IsNullOrEmpty(cursor)) return 0;
            try
            {
                var b64 = cursor.Replace('-', '+').Replace('_', '/');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=')));
                if (text.StartsWith(Prefix, StringComparison.Ordinal)
                    && int.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset < SearchRequest.MaxDepth)
                    return offset;
            }
            catch (FormatException)
            {
            }
            throw ChatException.Invalid("cursor is not one this API gave out: pass the cursor of the previous answer unchanged, or leave it out for the first page.");
        }
    }
}
