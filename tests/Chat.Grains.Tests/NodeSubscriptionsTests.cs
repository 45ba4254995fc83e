using Chat.Grains.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace Chat.Grains.Tests;

/// <summary>
/// What <see cref="NodeSubscriptions{TObserver}"/> writes, and when: once per change of the set of
/// nodes, never per refresh; a failed write fails no subscribe and is retried by housekeeping; and
/// what it wrote brings the nodes back. Observers are real references from the test cluster.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class NodeSubscriptionsTests(ClusterFixture fixture)
{
    private NodeSubscriptions<IInboxObserver> Subscriptions(ScriptedState state) =>
        new(state, fixture.Grains, TimeProvider.System, TimeSpan.FromMinutes(1), "the test's nodes", NullLogger.Instance);

    [Fact]
    public async Task The_set_is_written_when_a_node_comes_or_goes_and_not_when_nodes_refresh()
    {
        var state = new ScriptedState();
        var nodes = Subscriptions(state);
        var (one, two) = (new InboxNode(), new InboxNode());
        var a = fixture.Grains.CreateObjectReference<IInboxObserver>(one);
        var b = fixture.Grains.CreateObjectReference<IInboxObserver>(two);
        try
        {
            nodes.Subscribe("a", a);
            nodes.Subscribe("b", b);
            for (var i = 0; i < 100; i++)
            {
                nodes.Subscribe("a", a, viewers: i);
                nodes.Subscribe("b", b, viewers: i);
            }
            nodes.RemoveExpired();
            await nodes.SaveAsync();
            Assert.Equal(2, state.Writes);
            Assert.Equal(new Dictionary<string, string> { ["a"] = a.GetGrainId().ToString(), ["b"] = b.GetGrainId().ToString() }, state.Stored);

            nodes.Unsubscribe("a");
            await nodes.SaveAsync();
            Assert.Equal(3, state.Writes);
            Assert.Equal(["b"], state.Stored.Keys);
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IInboxObserver>(a);
            fixture.Grains.DeleteObjectReference<IInboxObserver>(b);
        }
    }

    [Fact]
    public async Task A_write_that_fails_fails_no_subscribe_and_housekeeping_writes_it_once_storage_is_back()
    {
        var state = new ScriptedState { Failing = true };
        var nodes = Subscriptions(state);
        var node = new InboxNode();
        var observer = fixture.Grains.CreateObjectReference<IInboxObserver>(node);
        try
        {
            Assert.True(nodes.Subscribe("a", observer, viewers: 2));
            Assert.Equal(2, nodes.Viewers);
            await nodes.SaveAsync();
            Assert.Empty(state.Stored);

            state.Failing = false;
            nodes.RemoveExpired();
            await nodes.SaveAsync();

            Assert.Equal(["a"], state.Stored.Keys);
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IInboxObserver>(observer);
        }
    }

    [Fact]
    public async Task A_write_that_meets_another_activations_write_is_written_over_it_at_once()
    {
        var state = new ScriptedState();
        var nodes = Subscriptions(state);
        var node = new InboxNode();
        var observer = fixture.Grains.CreateObjectReference<IInboxObserver>(node);
        try
        {
            state.AnotherActivationWrites(new() { ["elsewhere"] = observer.GetGrainId().ToString() });
            // Its write (done at once by this state) meets an ETag that moved on: it takes the stored
            // ETag and writes this activation's set over the other's (LazyGrainState).
            nodes.Subscribe("a", observer);
            Assert.Equal(["a"], state.Stored.Keys); // this activation is the one the nodes talk to

            nodes.RemoveExpired();
            await nodes.SaveAsync();
            Assert.Equal(["a"], state.Stored.Keys);
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IInboxObserver>(observer);
        }
    }

    /// <summary>
    /// Node "old" subscribed without declaring <see cref="NodeObserverProtocol"/> (a web node of
    /// 0.1.0): it is pushed to, but never sent OnReactivated, which it could not decode.
    /// </summary>
    [Fact]
    public async Task Restored_nodes_are_pushed_to_and_those_that_answer_it_asked_to_subscribe_again()
    {
        var (node, oldNode) = (new InboxNode(), new InboxNode());
        var observer = fixture.Grains.CreateObjectReference<IInboxObserver>(node);
        var oldObserver = fixture.Grains.CreateObjectReference<IInboxObserver>(oldNode);
        try
        {
            var state = new ScriptedState();
            state.State.Nodes["a"] = observer.GetGrainId().ToString();
            state.State.AnswerReactivated.Add("a");
            state.State.Nodes["old"] = oldObserver.GetGrainId().ToString();
            state.State.Nodes["garbled"] = "not a grain id";
            var nodes = Subscriptions(state);

            nodes.Restore("alice");
            foreach (var restored in nodes) await restored.OnInbox("alice", new InboxStatus(1, 1));

            await Eventually.True(() => node.Reactivated.Contains("alice") && node.Unread == 1, TimeSpan.FromSeconds(10), "the restored node hears from the grain");
            // The push went after the OnReactivated it would have had, from the same caller.
            await Eventually.True(() => oldNode.Unread == 1, TimeSpan.FromSeconds(10), "the restored node of 0.1.0 hears from the grain");
            Assert.Empty(oldNode.Reactivated);
            Assert.Equal(0, nodes.Viewers); // until the node reports them again
            await nodes.SaveAsync();
            Assert.Equal(new[] { "a", "old" }, state.Stored.Keys.Order().ToArray()); // the unreadable entry is dropped from storage
            Assert.Equal(new[] { "a" }, state.State.AnswerReactivated.ToArray());
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IInboxObserver>(observer);
            fixture.Grains.DeleteObjectReference<IInboxObserver>(oldObserver);
        }
    }

    [Fact]
    public async Task A_node_that_declares_its_observer_protocol_when_it_subscribes_is_saved_as_answering_OnReactivated()
    {
        var state = new ScriptedState();
        var nodes = Subscriptions(state);
        var (one, two) = (new InboxNode(), new InboxNode());
        var current = fixture.Grains.CreateObjectReference<IInboxObserver>(one);
        var old = fixture.Grains.CreateObjectReference<IInboxObserver>(two);
        try
        {
            await SubscribeDeclaringAsync(nodes, "current", current);
            nodes.Subscribe("old", old); // declares nothing, as a node of 0.1.0
            await nodes.SaveAsync();
            Assert.Equal(new[] { "current" }, state.State.AnswerReactivated.ToArray());
        }
        finally
        {
            fixture.Grains.DeleteObjectReference<IInboxObserver>(current);
            fixture.Grains.DeleteObjectReference<IInboxObserver>(old);
        }
    }

    /// <summary>As a grain sees a current web node's subscribe: with the protocol in the call's RequestContext.</summary>
    private static async Task SubscribeDeclaringAsync(NodeSubscriptions<IInboxObserver> nodes, string nodeId, IInboxObserver observer)
    {
        await Task.Yield(); // its own async flow, so that the RequestContext set here stays here
        NodeObserverProtocol.Declare();
        nodes.Subscribe(nodeId, observer);
    }

    private sealed class InboxNode : IInboxObserver
    {
        public List<string> Reactivated { get; } = [];
        public int Unread { get; private set; }

        public Task OnReactivated(string key)
        {
            lock (Reactivated) Reactivated.Add(key);
            return Task.CompletedTask;
        }

        public Task OnInbox(string userName, InboxStatus status)
        {
            Unread = status.Unread;
            return Task.CompletedTask;
        }
    }

    /// <summary>Grain state in memory, with ETags, that counts its writes and fails them while told to.</summary>
    private sealed class ScriptedState : IPersistentState<SubscribedNodesState>
    {
        private int _storedVersion;

        /// <summary>What storage holds: the state as of the last write that succeeded.</summary>
        public Dictionary<string, string> Stored { get; private set; } = [];

        public SubscribedNodesState State { get; set; } = new();
        public string? Etag { get; private set; }
        public bool RecordExists => Etag is not null;
        public bool Failing { get; set; }
        public int Writes { get; private set; }

        public void AnotherActivationWrites(Dictionary<string, string> nodes) => Store(nodes);

        public Task WriteStateAsync()
        {
            if (Failing) return Task.FromException(new TimeoutException("storage is down"));
            if (Etag != StoredEtag) return Task.FromException(new InconsistentStateException("ETag mismatch", StoredEtag, Etag));
            Writes++;
            Store(State.Nodes);
            Etag = StoredEtag;
            return Task.CompletedTask;
        }

        public Task ReadStateAsync()
        {
            State = new SubscribedNodesState { Nodes = new Dictionary<string, string>(Stored) };
            Etag = StoredEtag;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync() => throw new NotSupportedException();

        private string? StoredEtag => _storedVersion == 0 ? null : _storedVersion.ToString();

        private void Store(Dictionary<string, string> nodes)
        {
            Stored = new Dictionary<string, string>(nodes);
            _storedVersion++;
        }
    }
}
