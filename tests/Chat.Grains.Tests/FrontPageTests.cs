using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chat.Grains.Tests;

/// <summary>The front-page grain tells subscribed web nodes of changes, throttled.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class FrontPageTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Many_changes_in_a_burst_reach_a_node_as_about_one_notification_a_second_ending_with_the_last()
    {
        var frontPage = fixture.Grains.GetGrain<IFrontPageGrain>(0);
        var node = new FrontPageNode();
        var observer = fixture.Grains.CreateObjectReference<IFrontPageObserver>(node);
        var nodeId = "test-" + Guid.NewGuid().ToString("N");
        try
        {
            var before = await frontPage.Subscribe(nodeId, observer);
            var clock = Stopwatch.StartNew();

            // 20 new threads and 20 count changes, as fast as they go.
            for (var i = 0; i < 20; i++)
            {
                var thread = fixture.Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
                var info = await thread.Create(new NewThread($"Burst {i}", null, null, "alice"));
                await frontPage.Update(new ThreadSummary(info.Id, info.Title, null, "alice", info.CreatedAt, 7, 0));
            }
            var last = await frontPage.Subscribe(nodeId, observer);
            Assert.True(last >= before + 40, $"40 changes counted ({before} -> {last})");

            await Eventually.True(() => node.Versions.Any(v => v >= last), TimeSpan.FromSeconds(10), "the node hears of the last change");
            var elapsed = clock.Elapsed.TotalSeconds;
            // One at once, then at most one per second (PushPeriod) while changes keep coming.
            Assert.InRange(node.Versions.Count, 1, 2 + (int)elapsed);
        }
        finally
        {
            await frontPage.Unsubscribe(nodeId);
            fixture.Grains.DeleteObjectReference<IFrontPageObserver>(observer);
        }
    }

    private sealed class FrontPageNode : IFrontPageObserver
    {
        private readonly ConcurrentQueue<long> _versions = new();

        public IReadOnlyCollection<long> Versions => _versions;

        public Task OnReactivated(string key) => Task.CompletedTask;

        public Task OnFrontPageChanged(long version)
        {
            _versions.Enqueue(version);
            return Task.CompletedTask;
        }
    }
}
