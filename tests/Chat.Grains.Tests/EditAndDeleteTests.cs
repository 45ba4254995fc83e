using static Chat.Grains.Tests.ThreadComments;

namespace Chat.Grains.Tests;

/// <summary>Edit and delete at the grain: who may, for how long, and what a deleted comment leaves behind.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class EditAndDeleteTests(ClusterFixture fixture)
{
    private Task<(IThreadGrain Thread, string Author)> NewThreadAsync() => fixture.NewThreadByNewUserAsync("Edits and deletes");

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
        var row = await fixture.Log.ReadOneAsync(thread.GetPrimaryKeyString(), parent);
        Assert.Equal("", row!.Comment.Body); // gone from the log too, not only hidden
        Assert.Equal(ChatErrorKind.Invalid, (await Assert.ThrowsAsync<ChatException>(() => thread.EditComment(parent, author, "back"))).Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => thread.DeleteComment(99, author))).Kind);
    }

    [Fact]
    public async Task Every_edit_keeps_the_earlier_text_with_its_time_and_a_deleted_comments_history_is_for_moderators_only()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "first words", "c1"));
        var posted = await OnlyComment(thread, seq);
        Assert.Equal(["first words"], (await thread.GetHistory(seq, moderator: false)).Select(v => v.Body));

        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(30));
        var second = await thread.EditComment(seq, author, "second words");
        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(30));
        var third = await thread.EditComment(seq, author, "third words");

        var history = await thread.GetHistory(seq, moderator: false);
        Assert.Equal(["first words", "second words", "third words"], history.Select(v => v.Body));
        Assert.Equal([posted.CreatedAt, second.EditedAt!.Value, third.EditedAt!.Value], history.Select(v => v.At));

        await thread.DeleteComment(seq, author);
        var refused = await Assert.ThrowsAsync<ChatException>(() => thread.GetHistory(seq, moderator: false));
        Assert.Equal(ChatErrorKind.Forbidden, refused.Kind);
        // Deleting takes the text of the time back for good, as before; the earlier versions stay, for moderators.
        Assert.Equal(["first words", "second words", ""], (await thread.GetHistory(seq, moderator: true)).Select(v => v.Body));
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => thread.GetHistory(99, moderator: true))).Kind);
    }

    [Fact]
    public async Task A_hidden_comments_history_is_for_moderators_only()
    {
        var (thread, author) = await NewThreadAsync();
        var seq = await thread.Post(new NewComment(0, author, "rude words", "c1"));
        await thread.EditComment(seq, author, "ruder words");
        await thread.SetHidden(seq, true, "mod");

        Assert.Equal(ChatErrorKind.Forbidden, (await Assert.ThrowsAsync<ChatException>(() => thread.GetHistory(seq, moderator: false))).Kind);
        Assert.Equal(["rude words", "ruder words"], (await thread.GetHistory(seq, moderator: true)).Select(v => v.Body));
    }
}
