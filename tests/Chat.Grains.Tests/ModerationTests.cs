namespace Chat.Grains.Tests;

/// <summary>Lock and hide at the grain: what a locked thread refuses, what a hidden comment shows, and that both last.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class ModerationTests(ClusterFixture fixture)
{
    private Task<(IThreadGrain Thread, string Author)> NewThreadAsync() => fixture.NewThreadByNewUserAsync("Moderated");

    [Fact]
    public async Task A_locked_thread_refuses_posts_even_after_reactivation_and_takes_them_again_when_unlocked()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "first", "c1"));

        Assert.True((await thread.SetLocked(true, "mod")).Locked);
        Assert.True((await thread.SetLocked(true, "mod")).Locked); // locking twice is a no-op
        var refused = await Assert.ThrowsAsync<ChatException>(() => thread.Post(new NewComment(seq, author, "a reply", "c2")));
        Assert.Equal(ChatErrorKind.Forbidden, refused.Kind);

        // The lock is thread state, not memory: it holds after the grain comes back.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.True((await thread.GetInfo()).Locked);
        await Assert.ThrowsAsync<ChatException>(() => thread.Post(new NewComment(0, author, "again", "c3")));
        // A retry of a post stored before the lock still gets its seq: it was acknowledged.
        Assert.Equal(seq, await thread.Post(new NewComment(0, author, "first", "c1")));

        Assert.False((await thread.SetLocked(false, "mod")).Locked);
        Assert.Equal(2, await thread.Post(new NewComment(0, author, "reopened", "c4")));
    }

    [Fact]
    public async Task A_hidden_comment_is_blank_for_readers_keeps_its_place_and_cannot_be_edited_or_up_voted()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "spam spam", "c1"));
        var reply = await thread.Post(new NewComment(seq, "bob", "do not feed it", "c2"));

        var hidden = await thread.SetHidden(seq, true, "mod");

        Assert.True(hidden.Hidden);
        Assert.Equal("", hidden.Body);
        Assert.Equal("", hidden.Author);
        var page = await thread.GetComments(0, 10);
        Assert.Equal(new[] { seq, reply }, page.Comments.Select(c => c.Seq));
        Assert.Equal("", page.Comments[0].Body);
        Assert.Equal(seq, page.Comments[1].ParentSeq);
        Assert.Equal(ChatErrorKind.Forbidden, (await Assert.ThrowsAsync<ChatException>(() => thread.EditComment(seq, author, "sneaky"))).Kind);
        Assert.Equal(ChatErrorKind.Forbidden, (await Assert.ThrowsAsync<ChatException>(() => thread.Vote(seq, "bob", true))).Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => thread.SetHidden(99, true, "mod"))).Kind);

        // Stored, so it stays hidden after reactivation (read from the log, not the hot window).
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.True((await thread.GetComments(0, 10)).Comments[0].Hidden);

        var shown = await thread.SetHidden(seq, false, "mod");
        Assert.Equal("spam spam", shown.Body);
        Assert.Equal(author, shown.Author);
    }
}
