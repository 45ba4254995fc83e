using static Chat.Grains.Tests.ThreadComments;

namespace Chat.Grains.Tests;

/// <summary>Votes on comments and threads: once per user, undoable, stored, and credited to the author's karma.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class VotingTests(ClusterFixture fixture)
{
    private Task<(IThreadGrain Thread, string Author)> NewThreadAsync() => fixture.NewThreadByNewUserAsync("Votes");

    [Fact]
    public async Task A_second_vote_by_the_same_user_counts_once_and_undo_takes_it_back()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "vote for me", "c1"));

        Assert.Equal(1, await thread.Vote(seq, "bob", up: true));
        Assert.Equal(1, await thread.Vote(seq, "bob", up: true));
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => thread.Vote(seq, $"voter{i}", up: true)));
        Assert.Equal(6, concurrent.Max());
        Assert.Equal(6, (await OnlyComment(thread, seq)).Points);

        Assert.Equal(5, await thread.Vote(seq, "bob", up: false));
        Assert.Equal(5, await thread.Vote(seq, "bob", up: false)); // undoing twice is a no-op
        Assert.Equal(6, await thread.Vote(seq, "bob", up: true));   // and voting again works

        // The count is stored in the comment's row, so the log (not only memory) has it.
        var row = await fixture.Log.ReadOneAsync(thread.GetPrimaryKeyString(), seq);
        Assert.Equal(6, row!.Comment.Points);
    }

    [Fact]
    public async Task Thread_votes_count_once_per_user_reach_the_front_page_and_credit_the_authors_karma()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "mine", "c1"));

        Assert.Equal(1, await thread.Vote(0, "bob", true));
        Assert.Equal(1, await thread.Vote(0, "bob", true));
        Assert.Equal(2, await thread.Vote(0, "carol", true));
        await thread.Vote(seq, "bob", true);
        var own = await Assert.ThrowsAsync<ChatException>(() => thread.Vote(0, author, true));

        Assert.Equal(ChatErrorKind.Forbidden, own.Kind);
        var user = fixture.Grains.GetGrain<IUserGrain>(author);
        await Eventually.True(async () => (await user.GetProfile())!.Karma == 3, TimeSpan.FromSeconds(10), "karma 3 (two thread votes, one comment vote)");
        await Eventually.True(async () =>
            (await fixture.Grains.GetGrain<IFrontPageGrain>(0).GetThreadsSorted("new", 500)).Any(t => t.Id == thread.GetPrimaryKeyString() && t.Score == 2),
            TimeSpan.FromSeconds(15), "the front page shows the thread with 2 points");
        await thread.Vote(0, "carol", false);
        await Eventually.True(async () => (await user.GetProfile())!.Karma == 2, TimeSpan.FromSeconds(10), "undo takes the karma back");
    }
}
