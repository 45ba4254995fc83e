using Chat.Contracts.Search;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;

namespace Chat.Grains.Search;

/// <summary>
/// One shard's Lucene index: a document per thread (seq 0) and per shown comment, keyed
/// "thread/seq", and a watermark document per thread. New documents are searchable at once (near
/// real time, from the writer's memory); <see cref="CommitAsync"/> makes them durable.
/// </summary>
internal sealed class LuceneShardIndex : ISearchIndex
{
    private const string EpochKey = "epoch";
    private readonly FSDirectory _directory;
    private readonly string _folder;
    private readonly BlobShardCopy? _copy;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly Dictionary<string, long> _watermarks = new(StringComparer.Ordinal);

    /// <summary>
    /// The version of each document written since the searcher was last refreshed (null: removed).
    /// A change checks its version here, or else in the searcher as it is: refreshing it for each
    /// change (a vote, an edit) would flush the writer's memory into a new small segment every time,
    /// which cost the shard more than the indexing itself under a community's votes.
    /// </summary>
    private readonly Dictionary<string, long?> _sinceRefresh = new(StringComparer.Ordinal);
    private bool _changed;

    private LuceneShardIndex(FSDirectory directory, string folder, BlobShardCopy? copy, IndexWriter writer, long openedEpoch)
    {
        (_directory, _folder, _copy, _writer, OpenedEpoch) = (directory, folder, copy, writer, openedEpoch);
        _searchers = new SearcherManager(writer, true, null);
        WithSearcher(searcher =>
        {
            var marks = searcher.Search(new TermQuery(new Term(Fields.Kind, Fields.MarkKind)), Math.Max(1, searcher.IndexReader.MaxDoc));
            foreach (var hit in marks.ScoreDocs)
            {
                var doc = searcher.Doc(hit.Doc);
                _watermarks[doc.Get(Fields.Thread)] = doc.GetField(Fields.Watermark).GetInt64Value() ?? -1;
            }
            return 0;
        });
    }

    /// <summary>
    /// Opens the newer of the folder's index and the shared copy. Either is a consistent commit (its
    /// watermarks agree with its documents), so whatever came after it is replayed from the log.
    /// </summary>
    public static async Task<LuceneShardIndex> OpenAsync(string folder, BlobShardCopy? copy, CancellationToken cancellationToken)
    {
        var local = LocalEpoch(folder);
        var manifest = copy is null ? null : await copy.ReadManifestAsync(cancellationToken);
        if (manifest is not null && manifest.Epoch > (local ?? -1))
        {
            foreach (var file in System.IO.Directory.GetFiles(folder)) File.Delete(file);
            await copy!.RestoreAsync(manifest, folder, cancellationToken);
            local = manifest.Epoch;
        }
        var directory = FSDirectory.Open(new DirectoryInfo(folder));
        var mode = local is null ? OpenMode.CREATE : OpenMode.CREATE_OR_APPEND;
        var config = new IndexWriterConfig(LuceneSearchEngine.Version, LuceneSearchEngine.NewAnalyzer()) { OpenMode = mode };
        return new LuceneShardIndex(directory, folder, copy, new IndexWriter(directory, config), local ?? 0);
    }

    /// <summary>The epoch of the folder's last commit; null when it holds no readable index (then it is started afresh).</summary>
    private static long? LocalEpoch(string folder)
    {
        try
        {
            using var directory = FSDirectory.Open(new DirectoryInfo(folder));
            if (!DirectoryReader.IndexExists(directory)) return null;
            using var reader = DirectoryReader.Open(directory);
            return reader.IndexCommit.UserData.TryGetValue(EpochKey, out var saved) && long.TryParse(saved, out var epoch) ? epoch : 0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public long OpenedEpoch { get; }

    public IReadOnlyDictionary<string, long> Watermarks => _watermarks;

    public long DocumentCount => _writer.NumDocs;

    public void Upsert(SearchDocument d, bool checkVersion)
    {
        if (checkVersion && StoredVersion(d.ThreadId, d.Seq) is { } version && version > d.Version) return;
        var ticks = d.CreatedAt.UtcTicks;
        var doc = new Document
        {
            new StringField(Fields.Key, Key(d.ThreadId, d.Seq), Field.Store.NO),
            new StringField(Fields.Kind, Fields.DocKind, Field.Store.NO),
            new StringField(Fields.Thread, d.ThreadId, Field.Store.YES),
            new StoredField(Fields.Seq, d.Seq),
            new TextField(Fields.Body, d.Text, Field.Store.YES),
            new StoredField(Fields.ThreadTitle, d.ThreadTitle),
            new StringField(Fields.Author, d.Author.ToLowerInvariant(), Field.Store.NO),
            new StoredField(Fields.AuthorName, d.Author),
            new Int64Field(Fields.Created, ticks, Field.Store.YES),
            new NumericDocValuesField(Fields.CreatedSort, ticks),
            new StoredField(Fields.Points, d.Points),
            new NumericDocValuesField(Fields.PointsSort, d.Points),
            new StoredField(Fields.Version, d.Version),
        };
        // Only the thread's own document has the title: a title word finds the thread, not each of its comments.
        if (d.Seq == 0) doc.Add(new TextField(Fields.Title, d.ThreadTitle, Field.Store.NO));
        _writer.UpdateDocument(new Term(Fields.Key, Key(d.ThreadId, d.Seq)), doc);
        _sinceRefresh[Key(d.ThreadId, d.Seq)] = d.Version;
        _changed = true;
    }

    public void Remove(string threadId, long seq)
    {
        _writer.DeleteDocuments(new Term(Fields.Key, Key(threadId, seq)));
        _sinceRefresh[Key(threadId, seq)] = null;
        _changed = true;
    }

    public void SetWatermark(string threadId, long seq)
    {
        if (_watermarks.TryGetValue(threadId, out var old) && old == seq) return;
        _watermarks[threadId] = seq;
        _writer.UpdateDocument(new Term(Fields.Mark, threadId), new Document
        {
            new StringField(Fields.Mark, threadId, Field.Store.NO),
            new StringField(Fields.Kind, Fields.MarkKind, Field.Store.NO),
            new StringField(Fields.Thread, threadId, Field.Store.YES),
            new StoredField(Fields.Watermark, seq),
        });
        _changed = true;
    }

    public void RemoveThread(string threadId)
    {
        // Documents and the watermark document alike carry the thread's id.
        _writer.DeleteDocuments(new Term(Fields.Thread, threadId));
        _watermarks.Remove(threadId);
        _changed = true;
    }

    public string? TitleOf(string threadId) => WithSearcher(searcher =>
    {
        var top = searcher.Search(new TermQuery(new Term(Fields.Key, Key(threadId, 0))), 1);
        return top.TotalHits == 0 ? null : searcher.Doc(top.ScoreDocs[0].Doc).Get(Fields.ThreadTitle);
    });

    public ShardHits Search(SearchQuery query, string sort, int depth, DateTimeOffset now) => WithSearcher(searcher =>
    {
        var lucene = LuceneQueries.Build(query);
        if (sort == SearchSort.New)
        {
            var top = searcher.Search(lucene, null, depth, new Sort(new SortField(Fields.CreatedSort, SortFieldType.INT64, true)));
            return new ShardHits([.. top.ScoreDocs.Select(h => Hit(searcher, h, 0))], top.TotalHits);
        }
        // Relevance: Lucene's text score, then recency and points as boosts over a wider candidate set,
        // read from doc values; only the hits kept load their stored fields.
        var candidates = searcher.Search(lucene, Math.Min(Math.Max(depth * 3, 100), 3 * SearchRequest.MaxDepth));
        var created = MultiDocValues.GetNumericValues(searcher.IndexReader, Fields.CreatedSort);
        var points = MultiDocValues.GetNumericValues(searcher.IndexReader, Fields.PointsSort);
        var hits = candidates.ScoreDocs
            .Select(h => (Doc: h, Created: created?.Get(h.Doc) ?? 0, Score: Ranking.Boosted(h.Score, points?.Get(h.Doc) ?? 0, new DateTimeOffset(created?.Get(h.Doc) ?? 0, TimeSpan.Zero), now)))
            .OrderByDescending(h => h.Score).ThenByDescending(h => h.Created).Take(depth)
            .Select(h => Hit(searcher, h.Doc, h.Score)).ToArray();
        return new ShardHits(hits, candidates.TotalHits);
    });

    private static ShardHit Hit(IndexSearcher searcher, ScoreDoc scoreDoc, double score)
    {
        var doc = searcher.Doc(scoreDoc.Doc);
        var created = new DateTimeOffset(doc.GetField(Fields.Created).GetInt64Value() ?? 0, TimeSpan.Zero);
        var points = doc.GetField(Fields.Points).GetInt64Value() ?? 0;
        return new ShardHit(doc.Get(Fields.Thread), doc.GetField(Fields.Seq).GetInt64Value() ?? 0, score,
            created, doc.Get(Fields.ThreadTitle), doc.Get(Fields.AuthorName), doc.Get(Fields.Body), points);
    }

    private long? StoredVersion(string threadId, long seq)
    {
        if (_sinceRefresh.TryGetValue(Key(threadId, seq), out var written)) return written;
        return WithSearcher(refresh: false, searcher =>
        {
            var top = searcher.Search(new TermQuery(new Term(Fields.Key, Key(threadId, seq))), 1);
            return top.TotalHits == 0 ? null : searcher.Doc(top.ScoreDocs[0].Doc).GetField(Fields.Version).GetInt64Value();
        });
    }

    private T WithSearcher<T>(Func<IndexSearcher, T> use) => WithSearcher(refresh: true, use);

    private void Refresh()
    {
        _searchers.MaybeRefreshBlocking();
        _sinceRefresh.Clear();
        _changed = false;
    }

    /// <param name="refresh">Whether to see every write first (a query, a title); the version check does without.</param>
    private T WithSearcher<T>(bool refresh, Func<IndexSearcher, T> use)
    {
        if (refresh && _changed) Refresh();
        var searcher = _searchers.Acquire();
        try
        {
            return use(searcher);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    public async Task CommitAsync(long epoch, CancellationToken cancellationToken = default)
    {
        _writer.SetCommitData(new Dictionary<string, string> { [EpochKey] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _writer.Commit();
        // The commit wrote every segment out: a searcher opened now costs no flush, and the versions
        // written since the last one need not be kept any longer.
        Refresh();
        if (_copy is null) return;
        // The last commit's files stay until the next commit, which its shard's grain does not start
        // before this copy is done (one turn at a time).
        var files = DirectoryReader.ListCommits(_directory).OrderBy(c => c.Generation).Last().FileNames;
        await _copy.SaveAsync(epoch, [.. files], _folder, cancellationToken);
    }

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
    }

    private static string Key(string threadId, long seq) => threadId + "/" + seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Recency and points lift a text match; neither finds anything by itself.</summary>
    private static class Ranking
    {
        public static double Boosted(float textScore, long points, DateTimeOffset created, DateTimeOffset now)
        {
            var ageDays = Math.Max(0, (now - created).TotalDays);
            return textScore * (1 + 0.2 * Math.Log(1 + Math.Max(0, points))) * (1 + 0.5 * Math.Exp(-ageDays / 14));
        }
    }
}
