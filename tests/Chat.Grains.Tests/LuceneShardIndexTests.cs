using Chat.Contracts.Search;
using Chat.Grains.Search;

namespace Chat.Grains.Tests;

/// <summary>
/// One shard's index on its own: a change is checked against the version of the document it
/// replaces, whether that was written a moment ago (not yet in a searcher) or before the last
/// refresh, so an edit that arrives late never overwrites a newer one, and a vote (same version,
/// new points) always lands.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class LuceneShardIndexTests : IDisposable
{
    private static readonly DateTimeOffset Posted = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chat-index-test-" + Guid.NewGuid().ToString("N")[..8]);

    public LuceneShardIndexTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static SearchDocument Comment(string text, long version, long points = 0) =>
        new("t1", 1, "A thread", text, "ann", Posted, points, version);

    private static (string Text, long Points)[] Find(LuceneShardIndex index, string word) =>
        [.. index.Search(SearchQuery.Parse(word), SearchSort.New, 10, Posted).Hits.Select(h => (h.Text, h.Points))];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_late_older_edit_is_ignored_and_a_vote_at_the_same_version_lands(bool committedBetween)
    {
        using var index = await LuceneShardIndex.OpenAsync(_folder, null, CancellationToken.None);
        index.Upsert(Comment("first words", 1), checkVersion: false);
        index.Upsert(Comment("edited words", 3), checkVersion: true);
        if (committedBetween) await index.CommitAsync(1);

        index.Upsert(Comment("stale words", 2), checkVersion: true);
        index.Upsert(Comment("edited words", 3, points: 5), checkVersion: true);

        Assert.Equal([("edited words", 5L)], Find(index, "words"));
        Assert.Empty(Find(index, "stale"));
    }

    [Fact]
    public async Task A_removed_comment_takes_any_version_again_and_a_search_sees_every_write()
    {
        using var index = await LuceneShardIndex.OpenAsync(_folder, null, CancellationToken.None);
        index.Upsert(Comment("hidden words", 4), checkVersion: false);
        Assert.Single(Find(index, "hidden"));
        index.Remove("t1", 1);
        Assert.Empty(Find(index, "hidden"));
        index.Upsert(Comment("shown again", 1), checkVersion: true);
        Assert.Equal([("shown again", 0L)], Find(index, "shown"));
    }
}
