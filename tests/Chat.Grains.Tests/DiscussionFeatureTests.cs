using Chat.TestSupport;

namespace Chat.Grains.Tests;

/// <summary>Edit, delete and votes: the rules a reader of the site relies on, at the grain.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DiscussionFeatureTests(ClusterFixture fixture)
{
    private Task<(IThreadGrain Thread, string Author)> NewThreadAsync() => fixture.NewThreadByNewUserAsync("Features");

    private async Task<Comment> OnlyComment(IThreadGrain thread, long seq) =>
        (await thread.GetComments(seq - 1, 1)).Comments.Single();

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
        var row = await fixture.Azurite.Table("comments").GetEntityAsync<Azure.Data.Tables.TableEntity>(thread.GetPrimaryKeyString(), seq.ToString("D19"));
        Assert.Equal(6, row.Value.GetInt64("Points"));
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

    [Fact]
    public async Task Only_the_author_edits_within_the_window_and_the_edit_is_marked()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "first words", "c1"));

        var edited = await thread.EditComment(seq, author, "better words");
        var notMine = await Assert.ThrowsAsync<ChatException>(() => thread.EditComment(seq, "mallory", "mine now"));

        Assert.Equal("better words", edited.Body);
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(ChatErrorKind.Forbidden, notMine.Kind);
        var read = await OnlyComment(thread, seq);
        Assert.Equal("better words", read.Body);
        Assert.NotNull(read.EditedAt);

        // Ten minutes is the default window: just past it, editing is refused.
        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var late = await Assert.ThrowsAsync<ChatException>(() => thread.EditComment(seq, author, "too late"));
        Assert.Equal(ChatErrorKind.Forbidden, late.Kind);
        Assert.Contains("10 minutes", late.Message);
        Assert.Equal("better words", (await OnlyComment(thread, seq)).Body);
    }

    [Fact]
    public async Task A_deleted_comment_keeps_its_slot_and_its_replies_but_loses_author_and_body()
    {
        var (thread, author) = await NewThreadAsync();
        var parent = await thread.Post(new NewComment(0, author, "regrettable", "c1"));
        var reply = await thread.Post(new NewComment(parent, "bob", "a reply", "c2"));

        var refused = await Assert.ThrowsAsync<ChatException>(() => thread.DeleteComment(parent, "bob"));
        var deleted = await thread.DeleteComment(parent, author);
        var again = await thread.DeleteComment(parent, author);

        Assert.Equal(ChatErrorKind.Forbidden, refused.Kind);
        Assert.True(deleted.Deleted);
        Assert.Equal(again, deleted);
        var all = (await thread.GetComments(0, 10)).Comments;
        Assert.Equal(new[] { parent, reply }, all.Select(c => c.Seq));
        Assert.True(all[0].Deleted);
        Assert.Equal("", all[0].Author);
        Assert.Equal("", all[0].Body);
        Assert.Equal(parent, all[1].ParentSeq);
        Assert.Equal("a reply", all[1].Body);
        var row = await fixture.Azurite.Table("comments").GetEntityAsync<Azure.Data.Tables.TableEntity>(thread.GetPrimaryKeyString(), parent.ToString("D19"));
        Assert.Equal("", row.Value.GetString("Body")); // gone from storage too, not only hidden
        Assert.Equal(ChatErrorKind.Invalid, (await Assert.ThrowsAsync<ChatException>(() => thread.EditComment(parent, author, "back"))).Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => thread.DeleteComment(99, author))).Kind);
    }

    [Fact]
    public async Task Edits_and_deletes_through_the_user_update_the_users_page()
    {
        var name = ClusterFixture.NewUserName();
        var user = fixture.Grains.GetGrain<IUserGrain>(name);
        await user.Register("hash");
        var thread = await user.CreateThread("Mine", null, null);
        var kept = await user.PostComment(thread.Id, 0, "kept", "c1");
        var gone = await user.PostComment(thread.Id, 0, "gone", "c2");

        await user.EditComment(thread.Id, kept, "kept, edited");
        await user.DeleteComment(thread.Id, gone);

        var recent = (await user.GetProfile())!.RecentComments;
        Assert.Equal("kept, edited", Assert.Single(recent).Snippet);
    }
}
