using static Chat.Grains.Tests.ThreadComments;

namespace Chat.Grains.Tests;

/// <summary>A thread's comment count: what readers can see, kept through deletes, hides and reactivation.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class CommentCountTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_comment_count_leaves_out_deleted_and_hidden_comments_also_after_reactivation_and_on_the_front_page()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var id = thread.GetPrimaryKeyString();
        for (var i = 1; i <= 5; i++) await thread.Post(Comment(i));

        await thread.DeleteComment(1, "alice");
        await thread.DeleteComment(1, "alice"); // twice is once
        await thread.SetHidden(2, true, "mod");
        await thread.SetHidden(3, true, "mod");
        await thread.SetHidden(3, false, "mod"); // shown again: counted again
        await thread.SetHidden(1, true, "mod");  // deleted and hidden: gone once

        Assert.Equal((3L, 5L), ((await thread.GetInfo()).CommentCount, (await thread.GetInfo()).LastSeq));
        await Eventually.True(async () => (await fixture.Grains.GetGrain<IFrontPageGrain>(0).GetThreads(500)).Any(t => t.Id == id && t.CommentCount == 3),
            TimeSpan.FromSeconds(20), "the front page shows 3 comments");
        // Still true when the grain comes back from storage.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(3, (await thread.GetInfo()).CommentCount);
        await thread.Post(Comment(6));
        Assert.Equal(4, (await thread.GetInfo()).CommentCount);
    }
}
