using System.Collections.Concurrent;
using Orleans.Core.Internal;

namespace Chat.Grains.Tests;

/// <summary>
/// A grain that is deactivated (its silo stopped, crashed, or it moved) and activated again still
/// pushes to the web nodes that were subscribed to it, at once: the nodes here never refresh.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class ReactivationTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Ends the grain's activation; the next call to it activates it again, from storage.</summary>
    internal static async Task DeactivateAsync(IAddressable grain) => await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

    [Fact]
    public async Task A_thread_activated_again_pushes_new_comments_to_the_nodes_subscribed_to_the_old_activation()
    {
        await using var reading = await ThreadWithNode.StartAsync(fixture);
        var thread = reading.Thread;
        await reading.SubscribeAsync();
        var first = await thread.Post(new NewComment(0, "alice", "before the move", "c1"));
        await Eventually.True(() => reading.Node.Seqs.Contains(first), Deadline, "the first comment is pushed");

        await DeactivateAsync(thread);
        var second = await thread.Post(new NewComment(0, "alice", "after the move", "c2"));

        await Eventually.True(() => reading.Node.Seqs.Contains(second), Deadline, "the new activation pushes the next comment to the node");
        // The node is asked to subscribe again now (it reports its viewers and fills any gap).
        await Eventually.True(() => reading.Node.Reactivated.Contains(thread.GetPrimaryKeyString()), Deadline, "the node hears that the thread is back");
    }

    [Fact]
    public async Task The_front_page_activated_again_tells_the_nodes_subscribed_to_the_old_activation_of_changes()
    {
        var frontPage = fixture.Grains.GetGrain<IFrontPageGrain>(0);
        var node = new RecordingNode();
        var observer = fixture.Grains.CreateObjectReference<IFrontPageObserver>(node);
        var nodeId = "node-" + Guid.NewGuid().ToString("N");
        try
        {
            var before = await frontPage.Subscribe(nodeId, observer);

            await DeactivateAsync(frontPage);
            await fixture.NewThreadByAliceAsync(); // lists itself on the front page

            await Eventually.True(() => node.FrontPageVersions.Any(v => v > before), Deadline, "the new activation tells the node the list changed");
        }
        finally
        {
            await frontPage.Unsubscribe(nodeId);
            fixture.Grains.DeleteObjectReference<IFrontPageObserver>(observer);
        }
    }

    [Fact]
    public async Task A_users_grain_activated_again_tells_the_nodes_subscribed_to_the_old_activation_of_new_replies()
    {
        var (alice, aliceName) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Replies across a move", null, null);
        var parent = await alice.PostComment(thread.Id, 0, "reply to me", "a1");
        var node = new RecordingNode();
        var observer = fixture.Grains.CreateObjectReference<IInboxObserver>(node);
        var nodeId = "node-" + Guid.NewGuid().ToString("N");
        try
        {
            Assert.Equal(0, (await alice.SubscribeInbox(nodeId, observer)).Unread);

            await DeactivateAsync(alice);
            await bob.PostComment(thread.Id, parent, "a reply after the move", "b1");

            await Eventually.True(() => node.Inbox.TryGetValue(aliceName, out var status) && status.Unread == 1, Deadline,
                "the new activation tells the node alice has 1 unread");
        }
        finally
        {
            await alice.UnsubscribeInbox(nodeId);
            fixture.Grains.DeleteObjectReference<IInboxObserver>(observer);
        }
    }

    /// <summary>A new thread and a recording node, unsubscribed at the end.</summary>
    internal sealed class ThreadWithNode : IAsyncDisposable
    {
        private readonly IGrainFactory _grains;
        private readonly IThreadObserver _observer;
        private readonly string _nodeId = "node-" + Guid.NewGuid().ToString("N");

        private ThreadWithNode(IThreadGrain thread, IGrainFactory grains)
        {
            (Thread, _grains) = (thread, grains);
            _observer = grains.CreateObjectReference<IThreadObserver>(Node);
        }

        public IThreadGrain Thread { get; }
        public RecordingNode Node { get; } = new();

        public static async Task<ThreadWithNode> StartAsync(ChatClusterFixture fixture) => new(await fixture.NewThreadByAliceAsync(), fixture.Grains);

        /// <summary>As a current web node subscribes: saying that its observer answers OnReactivated.</summary>
        public async Task SubscribeAsync()
        {
            NodeObserverProtocol.Declare();
            await Thread.Subscribe(_nodeId, _observer, 1);
        }

        public async ValueTask DisposeAsync()
        {
            await Thread.Unsubscribe(_nodeId, _observer);
            _grains.DeleteObjectReference<IThreadObserver>(_observer);
        }
    }

    /// <summary>A web node that records what grains push to it and never refreshes its subscriptions.</summary>
    internal sealed class RecordingNode : IThreadObserver, IFrontPageObserver, IInboxObserver
    {
        public ConcurrentBag<long> Seqs { get; } = [];
        public ConcurrentBag<long> FrontPageVersions { get; } = [];
        public ConcurrentDictionary<string, InboxStatus> Inbox { get; } = new();
        public ConcurrentBag<string> Reactivated { get; } = [];

        public Task OnComments(string threadId, Comment[] batch)
        {
            foreach (var comment in batch) Seqs.Add(comment.Seq);
            return Task.CompletedTask;
        }

        public Task OnFrontPageChanged(long version)
        {
            FrontPageVersions.Add(version);
            return Task.CompletedTask;
        }

        public Task OnInbox(string userName, InboxStatus status)
        {
            Inbox.AddOrUpdate(userName, status, (_, seen) => status.Version > seen.Version ? status : seen);
            return Task.CompletedTask;
        }

        public Task OnReactivated(string key)
        {
            Reactivated.Add(key);
            return Task.CompletedTask;
        }

        public Task OnUpdates(string threadId, Comment[] updates) => Task.CompletedTask;
        public Task OnThreadPoints(string threadId, long points) => Task.CompletedTask;
        public Task OnThreadLocked(string threadId, bool locked) => Task.CompletedTask;
        public Task OnTyping(string threadId, string userName, long parentSeq) => Task.CompletedTask;
        public Task OnViewers(string threadId, int viewers) => Task.CompletedTask;
    }
}
