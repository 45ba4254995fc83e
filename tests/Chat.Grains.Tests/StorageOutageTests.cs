using System.Diagnostics;
using static Chat.Grains.Tests.ReactivationTests;

namespace Chat.Grains.Tests;

/// <summary>
/// Azure storage that stops answering (Azurite frozen with SIGSTOP: its port still accepts, nothing
/// answers): the grains answer within their storage timeouts, and recover when it is back.
/// </summary>
[Trait(Lanes.Trait, Lanes.Storage)]
[Collection(AzuriteClusterCollection.Name)]
public sealed class StorageOutageTests(AzuriteClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_first_ordered_read_while_storage_is_down_is_refused_and_the_next_one_reads_the_thread()
    {
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Ordered after an outage");
        var seq = await thread.Post(new NewComment(0, author, "kept", "k"));

        fixture.Azurite.Freeze();
        ChatException error;
        try { error = await Assert.ThrowsAsync<ChatException>(() => thread.GetOrderedComments(CommentOrder.Top, null, 10)); }
        finally { fixture.Azurite.Thaw(); }

        Assert.Equal(ChatErrorKind.StorageUnavailable, error.Kind);
        Assert.Equal([seq], (await thread.GetOrderedComments(CommentOrder.Top, null, 10)).Comments.Select(c => c.Seq));
    }

    [Fact]
    public async Task A_node_that_subscribes_while_storage_is_down_is_answered_at_once_and_saved_once_storage_is_back()
    {
        await using var reading = await ThreadWithNode.StartAsync(fixture);
        var subscribing = Stopwatch.StartNew();
        fixture.Azurite.Freeze();
        try { await reading.SubscribeAsync(); }
        finally { fixture.Azurite.Thaw(); }
        // Grain state writes time out after 3 s: the subscribe did not wait for one.
        Assert.True(subscribing.Elapsed < TimeSpan.FromSeconds(2), $"the subscribe took {subscribing.Elapsed.TotalSeconds:0.0} s");

        // The write that storage held up is done or retried (by housekeeping, or at deactivation at the latest).
        await DeactivateAsync(reading.Thread);
        var seq = await reading.Thread.Post(new NewComment(0, "alice", "after storage came back", "c1"));

        await Eventually.True(() => reading.Node.Seqs.Contains(seq), Deadline, "the new activation pushes to the node");
    }
}
