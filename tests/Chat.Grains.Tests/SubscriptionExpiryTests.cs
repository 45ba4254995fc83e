namespace Chat.Grains.Tests;

/// <summary>Web nodes that stop refreshing are dropped when the chat's clock (not the machine's) says so.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class SubscriptionExpiryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_node_that_stops_refreshing_is_dropped_by_the_chats_clock_and_its_viewers_with_it()
    {
        var (thread, _) = await fixture.NewThreadByNewUserAsync("Expiring nodes");
        // Orleans holds an observer object weakly: kept here until the end, or a GC can collect it
        // mid-test and the reference no longer points at anything.
        var (quietNode, aliveNode) = (new SilentNode(), new SilentNode());
        var quiet = fixture.Grains.CreateObjectReference<IThreadObserver>(quietNode);
        var alive = fixture.Grains.CreateObjectReference<IThreadObserver>(aliveNode);
        var quietId = "quiet-" + Guid.NewGuid().ToString("N");
        var aliveId = "alive-" + Guid.NewGuid().ToString("N");
        try
        {
            await thread.Subscribe(quietId, quiet, 3);
            Assert.Equal(4, (await thread.Subscribe(aliveId, alive, 1)).Viewers);

            // Past the expiry (Chat:Threads:SubscriptionExpiry, 45 s) on the chat's clock only; one
            // node keeps refreshing, the other has stopped.
            ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(60));

            await Eventually.True(async () => (await thread.Subscribe(aliveId, alive, 1)).Viewers == 1, TimeSpan.FromSeconds(10),
                "the quiet node's 3 viewers to be gone (housekeeping runs every 2 s)");
        }
        finally
        {
            await thread.Unsubscribe(quietId, quiet);
            await thread.Unsubscribe(aliveId, alive);
            fixture.Grains.DeleteObjectReference<IThreadObserver>(quiet);
            fixture.Grains.DeleteObjectReference<IThreadObserver>(alive);
            GC.KeepAlive(quietNode);
            GC.KeepAlive(aliveNode);
        }
    }

    private sealed class SilentNode : IThreadObserver
    {
        public Task OnComments(string threadId, Comment[] batch) => Task.CompletedTask;
        public Task OnUpdates(string threadId, Comment[] updates) => Task.CompletedTask;
        public Task OnThreadPoints(string threadId, long points) => Task.CompletedTask;
        public Task OnThreadLocked(string threadId, bool locked) => Task.CompletedTask;
        public Task OnTyping(string threadId, string userName, long parentSeq) => Task.CompletedTask;
        public Task OnViewers(string threadId, int viewers) => Task.CompletedTask;
        public Task OnReactivated(string key) => Task.CompletedTask;
    }
}
