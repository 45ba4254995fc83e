using Chat.Contracts.Search;
using Chat.Grains.Search;
using Chat.Grains.Storage;

namespace Chat.Grains.Tests;

/// <summary>
/// Search at the grains: what is posted is found, once; the sweep finds comments whose notification
/// never came; deleted, hidden and edited comments are answered as readers see them now.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class SearchTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A word no other test posts.</summary>
    private static string NewWord() => "zq" + Guid.NewGuid().ToString("N")[..12];

    private Task<SearchResult> SearchAsync(string q, string sort = SearchSort.Relevance, int limit = 20, string? cursor = null) =>
        fixture.Grains.GetGrain<ISearchGrain>(0).Search(new SearchRequest(SearchQuery.Parse(q), sort, limit, cursor));

    private async Task<SearchResult> FoundAsync(string q, int count)
    {
        SearchResult result = null!;
        await Eventually.True(async () => (result = await SearchAsync(q)).Hits.Length == count, Patience, $"{count} hits for {q}");
        return result;
    }

    private ISearchShardGrain ShardOf(IThreadGrain thread) =>
        fixture.Grains.GetGrain<ISearchShardGrain>(SearchShards.Of(thread.GetPrimaryKeyString(), new SearchOptions().Shards));

    [Fact]
    public async Task A_posted_comment_is_found_with_its_word_marked_and_the_thread_by_its_title()
    {
        var (word, titleWord) = (NewWord(), NewWord());
        using var indexed = new CounterReading(ChatMetrics.MeterName, "chat.search.indexed", fixture.MeterFactories);
        var (thread, author) = await fixture.NewThreadByNewUserAsync("About " + titleWord);
        var seq = await thread.Post(new NewComment(0, author, $"I think {word} is right", "c1"));

        var hit = Assert.Single((await FoundAsync(word, 1)).Hits);
        var thread0 = Assert.Single((await FoundAsync(titleWord, 1)).Hits);

        Assert.Equal((thread.GetPrimaryKeyString(), seq, author), (hit.ThreadId, hit.Seq, hit.Author));
        Assert.Equal("About " + titleWord, hit.ThreadTitle);
        var range = Assert.Single(hit.Snippet.Ranges);
        Assert.Equal(word, hit.Snippet.Text.Substring(range.Start, range.Length));
        Assert.Equal(0, thread0.Seq);
        Assert.True(indexed.Total >= 1, "chat.search.indexed counted the comment");
    }

    [Fact]
    public async Task A_title_match_ranks_above_a_text_match()
    {
        var word = NewWord();
        var (other, author) = await fixture.NewThreadByNewUserAsync("Something else");
        await other.Post(new NewComment(0, author, $"a comment that says {word}", "c1"));
        var (titled, _) = await fixture.NewThreadByNewUserAsync($"All about {word}");

        var hits = (await FoundAsync(word, 2)).Hits;

        Assert.Equal(titled.GetPrimaryKeyString(), hits[0].ThreadId);
        Assert.Equal(0, hits[0].Seq);
    }

    [Fact]
    public async Task The_same_comments_told_twice_are_indexed_once()
    {
        var word = NewWord();
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Twice");
        await thread.Post(new NewComment(0, author, word, "c1"));
        await FoundAsync(word, 1);
        var shard = ShardOf(thread);
        var info = await thread.GetInfo();
        var comments = (await thread.GetComments(0, 10)).Comments;
        var st = new SearchThread(info.Id, info.Title, info.Body, info.Author, info.CreatedAt, 0);

        var first = await shard.Settled(st, info.LastSeq, comments);
        var again = await shard.Settled(st, info.LastSeq, comments);

        Assert.Equal(1, first);
        Assert.Equal(first, again);
        Assert.Single((await SearchAsync(word)).Hits);
        Assert.Equal(1, (await SearchAsync(word)).Total);
    }

    [Fact]
    public async Task The_sweep_finds_comments_the_shard_was_never_told_of()
    {
        var word = NewWord();
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Lost notification");
        var id = thread.GetPrimaryKeyString();
        await Eventually.True(async () => await ShardOf(thread).GetWatermark(id) == 0, Patience, "the thread registered with its shard");
        // Straight into the log, past the thread grain: no notification will ever come for these.
        var planted = Enumerable.Range(1, 3).Select(i => new StoredComment(
            new Comment(id, i, 0, author, $"planted {i} {word}", DateTimeOffset.UtcNow), "p" + i)).ToList();
        await fixture.Log.AppendAsync(id, planted);

        await FoundAsync(word, 3);

        Assert.Equal(3, await ShardOf(thread).GetWatermark(id));
    }

    [Fact]
    public async Task Deleted_and_hidden_comments_are_not_found_and_an_edit_is_found_by_its_new_words()
    {
        var (gone, hidden, before, after) = (NewWord(), NewWord(), NewWord(), NewWord());
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Changes");
        var deletedSeq = await thread.Post(new NewComment(0, author, gone, "c1"));
        var hiddenSeq = await thread.Post(new NewComment(0, author, hidden, "c2"));
        var editedSeq = await thread.Post(new NewComment(0, author, before, "c3"));
        await FoundAsync(gone, 1);
        await FoundAsync(hidden, 1);
        await FoundAsync(before, 1);

        await thread.DeleteComment(deletedSeq, author);
        await thread.SetHidden(hiddenSeq, true, "mod");
        await thread.EditComment(editedSeq, author, "now " + after);

        Assert.Empty((await SearchAsync(gone)).Hits);
        Assert.Empty((await SearchAsync(hidden)).Hits);
        var edited = Assert.Single((await FoundAsync(after, 1)).Hits);
        Assert.Equal("now " + after, edited.Snippet.Text);
        await Eventually.True(async () => (await SearchAsync(before)).Total == 0, Patience, "the old words leave the index");
    }

    [Fact]
    public async Task Filters_paging_and_newest_first()
    {
        var word = NewWord();
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Paging");
        for (var i = 1; i <= 5; i++) await thread.Post(new NewComment(0, i % 2 == 0 ? "bob" : author, $"{word} number {i}", "c" + i));
        await FoundAsync(word, 5);

        var first = await SearchAsync(word, SearchSort.New, limit: 2);
        var second = await SearchAsync(word, SearchSort.New, limit: 2, cursor: first.Cursor);
        var last = await SearchAsync(word, SearchSort.New, limit: 2, cursor: second.Cursor);
        var bobs = await SearchAsync($"{word} author:bob");
        var excluded = await SearchAsync($"{word} -number");
        var phrase = await SearchAsync($"\"{word} number 3\"");
        var inThread = await SearchAsync($"{word} thread:{thread.GetPrimaryKeyString()}");

        Assert.Equal(new long[] { 5, 4, 3, 2, 1 }, first.Hits.Concat(second.Hits).Concat(last.Hits).Select(h => h.Seq));
        Assert.Null(last.Cursor);
        Assert.Equal(5, first.Total);
        Assert.Equal(new long[] { 2, 4 }, bobs.Hits.Select(h => h.Seq).Order());
        Assert.Empty(excluded.Hits);
        Assert.Equal(3, Assert.Single(phrase.Hits).Seq);
        Assert.Equal(5, inThread.Hits.Length);
    }

    [Fact]
    public async Task Imported_comments_are_found()
    {
        var word = NewWord();
        var thread = fixture.Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
        await thread.Create(new NewThread("Imported", null, null, "op@hn"));

        await thread.Import([new ImportedComment("k1", null, "pg@hn", $"imported {word}", new DateTimeOffset(2015, 3, 1, 12, 0, 0, TimeSpan.Zero))]);

        var hit = Assert.Single((await FoundAsync($"{word} author:pg@hn", 1)).Hits);
        Assert.Equal("pg@hn", hit.Author);
        Assert.Equal(2015, hit.CreatedAt.Year);
    }

    [Fact]
    public async Task A_shard_that_reactivates_still_finds_what_it_had_indexed()
    {
        var word = NewWord();
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Reactivation");
        await thread.Post(new NewComment(0, author, word, "c1"));
        await FoundAsync(word, 1);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        await FoundAsync(word, 1);
    }
}
