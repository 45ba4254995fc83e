using System.Collections.Concurrent;

namespace Chat.Grains.Tests;

/// <summary>Reply notifications: who hears of a reply, what their inbox keeps, and the live count.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class InboxTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static Task<IReadOnlyList<InboxItem>> ItemsAsync(IUserGrain user) => user.GetInbox().ContinueWith(t => t.Result.Items);

    [Fact]
    public async Task A_reply_lands_in_the_parent_authors_inbox_as_unread()
    {
        var (alice, aliceName) = await fixture.NewUserAsync();
        var (bob, bobName) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Where replies go", null, null);
        var parent = await alice.PostComment(thread.Id, 0, "Alice's comment", "a1");

        var reply = await bob.PostComment(thread.Id, parent, "Bob answers Alice", "b1");

        await Eventually.True(async () => (await alice.GetInbox()).Unread == 1, Deadline, "alice has 1 unread reply");
        var item = Assert.Single((await alice.GetInbox()).Items);
        Assert.Equal(new InboxItem(thread.Id, "Where replies go", reply, parent, bobName, "Bob answers Alice", item.CreatedAt), item);
        var stored = (await fixture.Grains.GetGrain<IThreadGrain>(thread.Id).GetComments(reply - 1, 1)).Comments.Single();
        Assert.Equal(stored.CreatedAt, item.CreatedAt);
        Assert.Empty(await ItemsAsync(bob));
        Assert.Equal(0, (await bob.GetInbox()).Unread);
    }

    [Fact]
    public async Task Replying_to_yourself_or_to_a_deleted_comment_notifies_nobody_while_the_next_real_reply_does()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, bobName) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Quiet replies", null, null);
        var own = await alice.PostComment(thread.Id, 0, "first", "a1");
        var deleted = await alice.PostComment(thread.Id, 0, "soon gone", "a2");
        await alice.DeleteComment(thread.Id, deleted);

        await alice.PostComment(thread.Id, own, "replying to myself", "a3");
        await bob.PostComment(thread.Id, deleted, "replying to a deleted comment", "b1");
        // One-way calls are not delivered in order, but notices sent before three later replies
        // were stored, each in its own flush, would have landed by the time those three have.
        var real = new List<long>();
        for (var i = 0; i < 3; i++) real.Add(await bob.PostComment(thread.Id, own, $"a real reply {i}", $"b{i + 2}"));

        await Eventually.True(async () => (await alice.GetInbox()).Items.Count >= 3, Deadline, "alice's inbox has the real replies");
        var inbox = await alice.GetInbox();
        Assert.Equal(Enumerable.Reverse(real), inbox.Items.Select(i => i.Seq));
        Assert.All(inbox.Items, i => Assert.Equal(bobName, i.Author));
        Assert.Equal(3, inbox.Unread);
    }

    [Fact]
    public async Task A_reply_to_a_comment_older_than_the_hot_window_is_found_through_the_log()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("A long thread", null, null);
        var old = await alice.PostComment(thread.Id, 0, "an early comment", "a1");
        // The test cluster's hot window is 50 (kept up to 100): 150 more push seq 1 out of memory.
        var grain = fixture.Grains.GetGrain<IThreadGrain>(thread.Id);
        await Task.WhenAll(Enumerable.Range(0, 150).Select(i => grain.Post(new NewComment(0, "filler", $"filler {i}", $"f{i}"))));

        var reply = await bob.PostComment(thread.Id, old, "late reply to an early comment", "b1");

        await Eventually.True(async () => (await alice.GetInbox()).Unread == 1, Deadline, "alice has the late reply");
        Assert.Equal(reply, Assert.Single(await ItemsAsync(alice)).Seq);
    }

    [Fact]
    public async Task The_inbox_keeps_the_newest_100_replies_newest_first()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Popular", null, null);
        var parent = await alice.PostComment(thread.Id, 0, "say something", "a1");
        var grain = fixture.Grains.GetGrain<IThreadGrain>(thread.Id);

        // Straight to the thread (as many repliers would): no single user's rate limit applies.
        var seqs = await Task.WhenAll(Enumerable.Range(0, 105).Select(i => grain.Post(new NewComment(parent, "replier" + i, $"reply {i}", "r"))));

        // One-way calls arrive in any order; the inbox still lists them in the order they were stored.
        await Eventually.True(async () => (await alice.GetInbox()).Items.Any(i => i.Seq == seqs.Max()), Deadline, "the newest reply arrived");
        await Eventually.True(async () => (await alice.GetInbox()).Items.Count == 100 && (await alice.GetInbox()).Items[^1].Seq == seqs.Order().ElementAt(5), Deadline, "the oldest 5 are gone");
        var inbox = await alice.GetInbox();
        Assert.Equal(seqs.Order().TakeLast(100).Reverse(), inbox.Items.Select(i => i.Seq));
        Assert.Equal(100, inbox.Unread);
    }

    [Fact]
    public async Task Marking_read_zeroes_the_count_keeps_the_replies_and_tells_subscribed_nodes()
    {
        var (alice, aliceName) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Counting", null, null);
        var parent = await alice.PostComment(thread.Id, 0, "count my replies", "a1");
        var node = new InboxNode();
        var observer = fixture.Grains.CreateObjectReference<IInboxObserver>(node);
        try
        {
            var subscribed = await alice.SubscribeInbox("test-node", observer);
            Assert.Equal(0, subscribed.Unread);

            await bob.PostComment(thread.Id, parent, "one", "b1");
            await bob.PostComment(thread.Id, parent, "two", "b2");
            // Notices may arrive in any order: the newest one (highest version) tells.
            await Eventually.True(() => node.Latest(aliceName)?.Unread == 2, Deadline, "the node's newest notice says unread 2");

            var read = await alice.MarkInboxRead();

            Assert.Equal(0, read.Unread);
            Assert.Equal(["two", "one"], read.Items.Select(i => i.Snippet));
            await Eventually.True(() => node.Latest(aliceName)?.Unread == 0, Deadline, "the node's newest notice says unread 0");
            Assert.Equal([0, 1, 2], node.All(aliceName).Select(s => s.Unread).Order());
            Assert.True(node.All(aliceName).All(s => s.Version > subscribed.Version));
            Assert.Equal(node.Latest(aliceName), await alice.SubscribeInbox("test-node", observer));
        }
        finally
        {
            await alice.UnsubscribeInbox("test-node");
            fixture.Grains.DeleteObjectReference<IInboxObserver>(observer);
        }
    }

    [Fact]
    public async Task Deleting_a_reply_takes_it_out_of_the_inbox_and_off_the_unread_count()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Second thoughts", null, null);
        var parent = await alice.PostComment(thread.Id, 0, "say something", "a1");
        var kept = await bob.PostComment(thread.Id, parent, "kept", "b1");
        var regretted = await bob.PostComment(thread.Id, parent, "regretted", "b2");
        await Eventually.True(async () => (await alice.GetInbox()).Unread == 2, Deadline, "alice has 2 unread");

        await bob.DeleteComment(thread.Id, regretted);

        await Eventually.True(async () => (await alice.GetInbox()).Unread == 1, Deadline, "alice has 1 unread");
        Assert.Equal(kept, Assert.Single(await ItemsAsync(alice)).Seq);
    }

    private sealed class InboxNode : IInboxObserver
    {
        private readonly ConcurrentQueue<(string User, InboxStatus Status)> _received = new();

        public InboxStatus[] All(string userName) => [.. _received.Where(r => r.User == userName).Select(r => r.Status)];

        public InboxStatus? Latest(string userName) => All(userName).MaxBy(s => s.Version);

        public Task OnReactivated(string key) => Task.CompletedTask;

        public Task OnInbox(string userName, InboxStatus status)
        {
            _received.Enqueue((userName, status));
            return Task.CompletedTask;
        }
    }
}
