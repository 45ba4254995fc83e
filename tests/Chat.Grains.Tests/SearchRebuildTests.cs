using Chat.Contracts.Search;

namespace Chat.Grains.Tests;

/// <summary>
/// The search rebuild on real storage: afterwards every visible comment is found exactly once and
/// no deleted or hidden one is in the index at all (Total counts index matches before the
/// answer-time check); run twice while someone posts, it loses and duplicates nothing.
/// </summary>
[Trait(Lanes.Trait, Lanes.Storage)]
[Collection(AzuriteClusterCollection.Name)]
public sealed class SearchRebuildTests(AzuriteClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string NewWord() => "zq" + Guid.NewGuid().ToString("N")[..12];

    private async Task<long> TotalAsync(string word) =>
        (await fixture.Grains.GetGrain<ISearchGrain>(0).Search(new SearchRequest(SearchQuery.Parse(word), SearchSort.New, 50, null))).Total;

    private async Task<ReindexStatus> RebuildAsync()
    {
        var grain = fixture.Grains.GetGrain<ISearchReindexGrain>(0);
        var status = await grain.Start();
        await Eventually.True(async () => !(status = await grain.GetStatus()).Running, Patience, "the rebuild finishes");
        return status;
    }

    [Fact]
    public async Task A_rebuild_finds_every_visible_comment_once_and_no_deleted_or_hidden_one_even_run_twice_while_posting()
    {
        var (shown, gone, hidden, before, after) = (NewWord(), NewWord(), NewWord(), NewWord(), NewWord());
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Rebuilt " + shown);
        for (var i = 0; i < 30; i++) await thread.Post(new NewComment(0, author, $"{shown} number {i}", "s" + i));
        var deleted = await thread.Post(new NewComment(0, author, gone, "g"));
        var hid = await thread.Post(new NewComment(0, author, hidden, "h"));
        var edited = await thread.Post(new NewComment(0, author, before, "e"));
        await thread.DeleteComment(deleted, author);
        await thread.SetHidden(hid, true, "mod");
        await thread.EditComment(edited, author, "now " + after);

        // A second rebuild starts while the first may still run, and comments keep coming meanwhile.
        var posting = Task.Run(async () =>
        {
            for (var i = 30; i < 50; i++) await thread.Post(new NewComment(0, author, $"{shown} number {i}", "s" + i));
        });
        var first = await RebuildAsync();
        var second = await RebuildAsync();
        await posting;

        Assert.Equal(ReindexStatus.Done, first.State);
        Assert.Equal(ReindexStatus.Done, second.State);
        Assert.True(second.Comments >= 33, $"the rebuild read {second.Comments} comments");
        Assert.Equal(0, second.ThreadsFailed);
        // 50 comments and the thread itself (its title holds the word too).
        await Eventually.True(async () => await TotalAsync(shown) == 51, Patience, "every visible comment found once");
        Assert.Equal(0, await TotalAsync(gone));
        Assert.Equal(0, await TotalAsync(hidden));
        Assert.Equal(0, await TotalAsync(before));
        Assert.Equal(1, await TotalAsync(after));

        var third = await RebuildAsync();
        Assert.Equal(ReindexStatus.Done, third.State);
        Assert.Equal(51, await TotalAsync(shown));
        Assert.Equal(0, await TotalAsync(gone) + await TotalAsync(hidden));
    }
}
