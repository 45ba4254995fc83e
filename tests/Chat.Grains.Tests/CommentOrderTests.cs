using Orleans.Core.Internal;

namespace Chat.Grains.Tests;

/// <summary>
/// A thread's comments in "top" and "new" order: cut from the whole thread (also what is older than
/// the hot window, read from the log), and kept current by posts, votes, edits, deletes and hides.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class CommentOrderTests(ClusterFixture fixture)
{
    private static long[] Seqs(OrderedPage page) => [.. page.Comments.Select(c => c.Seq)];

    [Fact]
    public async Task A_thread_longer_than_the_hot_window_is_ordered_whole_also_after_it_is_activated_again()
    {
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Long and ordered");
        // 120 comments, the hot window is 50: the first ones come from the log.
        var seqs = new List<long>();
        for (var i = 0; i < 120; i++) seqs.Add(await thread.Post(new NewComment(i % 4 == 3 ? seqs[i - 1] : 0, author, $"comment {i}", $"c{i}")));
        await thread.Vote(seqs[0], "bob", true);
        await thread.Vote(seqs[0], "carol", true);
        await thread.Vote(seqs[2], "bob", true);
        await thread.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        var top = await thread.GetOrderedComments(CommentOrder.Top, null, 1000);
        var newest = await thread.GetOrderedComments(CommentOrder.New, null, 1000);

        Assert.Equal(120, top.Comments.Length);
        Assert.Equal([seqs[0], seqs[2], seqs[3]], Seqs(top)[..3]); // 2 points, 1 point with its reply
        Assert.Equal(90, top.Roots.Length); // every fourth is a reply
        Assert.Equal(seqs[^1], top.LastSeq);
        Assert.Equal([seqs[^2], seqs[^1], seqs[^3]], Seqs(newest)[..3]); // the newest top-level comment, its reply, the one before
    }

    [Fact]
    public async Task Posts_votes_edits_deletes_and_hides_after_the_first_ordered_read_show_in_the_next()
    {
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Ordered and changing");
        var a = await thread.Post(new NewComment(0, author, "a", "a"));
        var b = await thread.Post(new NewComment(0, author, "b", "b"));
        var c = await thread.Post(new NewComment(0, author, "c", "c"));
        Assert.Equal([a, b, c], Seqs(await thread.GetOrderedComments(CommentOrder.Top, null, 100)));

        await thread.Vote(c, "bob", true);
        var reply = await thread.Post(new NewComment(a, author, "a reply", "r"));
        await thread.EditComment(a, author, "a, edited");
        await thread.DeleteComment(b, author);
        await thread.Vote(reply, "bob", true);
        await thread.SetHidden(reply, true, "moderator");

        var top = await thread.GetOrderedComments(CommentOrder.Top, null, 100);
        Assert.Equal([c, a, reply, b], Seqs(top));
        Assert.Equal(1, top.Comments[0].Points);
        Assert.Equal("a, edited", top.Comments[1].Body);
        Assert.True(top.Comments[2].Hidden);
        Assert.Equal("", top.Comments[2].Body); // readers never get a hidden comment's text
        Assert.True(top.Comments[3].Deleted);
        Assert.Equal(reply, top.LastSeq);
    }

    [Fact]
    public async Task An_unknown_order_is_refused()
    {
        var (thread, _) = await fixture.NewThreadByNewUserAsync("Badly ordered");

        var error = await Assert.ThrowsAsync<ChatException>(() => thread.GetOrderedComments("best", null, 10));

        Assert.Equal(ChatErrorKind.Invalid, error.Kind);
        Assert.Equal("sort must be 'top', 'new' or 'old'.", error.Message);
    }
}
