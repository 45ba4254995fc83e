using Orleans.Core.Internal;
using Orleans.Runtime.Placement;

namespace Chat.Grains.Tests;

/// <summary>
/// A thread that moves to another silo (as when its silo stops gracefully, or a rebalancer moves it)
/// takes its memory along: the new activation reads nothing, still knows the posts it acknowledged
/// (a retry gets the first seq), numbers on without a gap and pushes to the subscribed nodes.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class MigrationTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_thread_moved_to_the_other_silo_keeps_its_memory_and_numbering()
    {
        using var handedOver = new CounterReading(ChatMetrics.MeterName, "chat.threads.handed_over", fixture.MeterFactories);
        await using var reading = await ReactivationTests.ThreadWithNode.StartAsync(fixture);
        var thread = reading.Thread;
        await reading.SubscribeAsync();
        for (var i = 1; i <= 5; i++) await thread.Post(new NewComment(0, "alice", $"before {i}", $"c{i}"));
        await thread.DeleteComment(2, "alice");

        // The placement hint names the silo; the one the thread is on is not a move, so name each in turn.
        foreach (var silo in fixture.Cluster.Silos.Select(s => s.SiloAddress))
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            try { await thread.AsReference<IGrainManagementExtension>().MigrateOnIdle(); }
            finally { RequestContext.Clear(); }
            await thread.GetInfo(); // forwarded to the new activation, if it moved
            if (handedOver.Total >= 1) break;
        }

        Assert.Equal(1, handedOver.Total);
        Assert.Equal(3, await thread.Post(new NewComment(0, "alice", "before 3", "c3"))); // a retry gets its first seq
        var info = await thread.GetInfo();
        Assert.Equal((5L, 4L), (info.LastSeq, info.CommentCount));
        var next = await thread.Post(new NewComment(0, "alice", "after the move", "c6"));
        Assert.Equal(6, next);
        await Eventually.True(() => reading.Node.Seqs.Contains(next), Deadline, "the moved thread pushes to the subscribed node");
        Assert.Equal(new long[] { 1, 3, 4, 5, 6 }, (await thread.GetComments(0, 10)).Comments.Where(c => !c.Deleted).Select(c => c.Seq));
    }
}
