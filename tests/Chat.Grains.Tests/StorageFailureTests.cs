using Chat.Grains.Storage;
using Chat.Grains.Threads;

namespace Chat.Grains.Tests;

/// <summary>
/// Storage failures while posting, through the cluster. A thread keeps up to two table transactions
/// in flight (Chat:Threads:MaxFlushesInFlight), so the later one can land while the earlier one
/// fails. Seqs must still be gapless, acknowledged in order and only once durable: these tests hold
/// and fail chosen writes to make exactly that happen (holes, a gap left by a crash, and the
/// acknowledged-comments metric).
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class StorageFailureTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static NewComment Comment(string author, int i) => new(0, author, $"comment {i}", $"c-{i}");

    [Theory]
    [InlineData(AppendOutcome.FailsUnwritten)]
    [InlineData(AppendOutcome.LandsButFails)]
    public async Task A_later_write_that_lands_before_an_earlier_one_fails_is_not_acknowledged_first_and_every_poster_gets_a_gapless_seq(AppendOutcome earlier)
    {
        var (thread, author, _, held, posts) = await HoldSeq1WhileSeqs2To101LandAsync("Pipelined flushes", 151);

        // Durable, but not acknowledged or counted while seq 1 is in doubt.
        Assert.Equal(0, (await thread.GetInfo()).CommentCount);
        Assert.DoesNotContain(posts, p => p.IsCompleted);

        // The earlier write fails, but the log still answers: the re-read finds seq 1 (it had landed
        // after all, or it is written again from memory to fill the gap under seqs 2..101) and every
        // poster waiting, those queued behind too, gets one seq, gapless, without an error.
        held.Settle(earlier);
        var acknowledged = await Task.WhenAll(posts).WaitAsync(Deadline);
        Assert.Equal(Enumerable.Range(1, 151).Select(i => (long)i), acknowledged.Order());

        // Retries (same clientIds, as the web node and the page send them) get the same seqs,
        // under their own body: nothing is stored twice.
        var seqs = await Task.WhenAll(Enumerable.Range(1, 151).Select(i => thread.Post(Comment(author, i)))).WaitAsync(Deadline);
        Assert.Equal(acknowledged, seqs);
        var stored = (await thread.GetComments(0, 500)).Comments;
        Assert.Equal(Enumerable.Range(1, 151).Select(i => (long)i), stored.Select(c => c.Seq));
        Assert.All(Enumerable.Range(1, 151), i => Assert.Equal($"comment {i}", stored[seqs[i - 1] - 1].Body));
        Assert.DoesNotContain(stored, c => c.Deleted);
    }

    [Fact]
    public async Task When_the_gap_cannot_be_filled_the_posters_are_told_and_their_retries_each_get_one_seq()
    {
        var (thread, author, script, held, posts) = await HoldSeq1WhileSeqs2To101LandAsync("Pipelined flushes, storage failing", 101);

        script.FailNextAppends(CommitPipeline.MaxReReadAttempts); // the writes that would fill seq 1, each re-read's
        held.Settle(AppendOutcome.FailsUnwritten);
        foreach (var post in posts)
            Assert.Equal(ChatErrorKind.StorageUnavailable, (await Assert.ThrowsAsync<ChatException>(() => post.WaitAsync(Deadline))).Kind);
        // Nothing after the gap is visible while it is open.
        Assert.Empty((await thread.GetComments(0, 500)).Comments);

        // Storage answers again: the same clientIds are retried, as the web node and the page do
        // (a retry that meets the failing repair is told "unavailable" too, and tries again).
        var seqs = await Task.WhenAll(Enumerable.Range(1, 101).Select(i => PostUntilAcknowledgedAsync(thread, Comment(author, i))));

        Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), seqs.Order());
        var stored = (await thread.GetComments(0, 500)).Comments;
        Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), stored.Select(c => c.Seq));
        Assert.All(Enumerable.Range(1, 101), i => Assert.Equal($"comment {i}", stored[seqs[i - 1] - 1].Body));
    }

    [Fact]
    public async Task A_gap_left_by_a_crash_is_filled_on_activation_with_a_placeholder_that_pages_leave_out()
    {
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Gap after a crash");
        var id = thread.GetPrimaryKeyString();
        Assert.Equal(1, await thread.Post(Comment(author, 1)));
        // What a silo that died after its second transaction landed, and before the first one's
        // failure was repaired, leaves behind: seq 3 stored, seq 2 never.
        var log = fixture.Log;
        await log.AppendAsync(id, [new StoredComment(new Comment(id, 3, 0, author, "comment 3", DateTimeOffset.UtcNow), "c-3")]);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var page = await thread.GetComments(0, 10);
        var retried = await thread.Post(Comment(author, 3));
        var next = await thread.Post(Comment(author, 4));

        Assert.Equal([1L, 2L, 3L], page.Comments.Select(c => c.Seq));
        var gap = page.Comments[1];
        Assert.True(gap.Deleted && gap.Hidden, "the placeholder is deleted and hidden");
        Assert.Equal(("", ""), (gap.Author, gap.Body));
        Assert.Equal((3L, 4L), (retried, next));
        Assert.Equal(3, (await thread.GetInfo()).CommentCount); // 1, 3 and 4: the placeholder is no comment
        // Written, so the next activation finds no gap either.
        Assert.NotNull(await log.ReadOneAsync(id, 2));
    }

    [Fact]
    public async Task Acknowledged_comments_are_counted_when_settled_in_order_not_when_a_later_write_lands()
    {
        using var acknowledged = new CounterReading(ChatMetrics.MeterName, "chat.comments.acknowledged", fixture.MeterFactories);
        var (thread, author, script, held, posts) = await HoldSeq1WhileSeqs2To101LandAsync("Counting acknowledgements", 101);

        // Landed, but nobody has been told: nothing is acknowledged yet.
        Assert.Equal(0, acknowledged.Total);

        // The earlier write fails and so does every repair: every poster is told "unavailable".
        script.FailNextAppends(CommitPipeline.MaxReReadAttempts);
        held.Settle(AppendOutcome.FailsUnwritten);
        foreach (var post in posts)
            await Assert.ThrowsAsync<ChatException>(() => post.WaitAsync(Deadline));
        Assert.Equal(0, acknowledged.Total);

        // The retries settle all 101, each counted once.
        await Task.WhenAll(Enumerable.Range(1, 101).Select(i => PostUntilAcknowledgedAsync(thread, Comment(author, i))));
        Assert.Equal(101, acknowledged.Total);
    }

    /// <summary>
    /// A new thread whose first write (seq 1) is held, with posts 2..n queued behind it: the full
    /// batch 2..101 goes out as a second transaction, which has landed on return. Returns all n posts.
    /// </summary>
    private async Task<(IThreadGrain Thread, string Author, ThreadScript Script, HeldAppend Held, Task<long>[] Posts)> HoldSeq1WhileSeqs2To101LandAsync(string title, int n)
    {
        var (thread, author) = await fixture.NewThreadByNewUserAsync(title);
        var script = ScriptedFaultsCommentLog.For(thread.GetPrimaryKeyString());
        var held = script.HoldNextAppend();
        var first = thread.Post(Comment(author, 1));
        Assert.Equal(new long[] { 1 }, await held.Reached.WaitAsync(Deadline));
        Task<long>[] posts = [first, .. Enumerable.Range(2, n - 1).Select(i => thread.Post(Comment(author, i)))];
        await Eventually.True(() => script.HasLanded(101), Deadline, "the second transaction (seqs 2..101) to land");
        return (thread, author, script, held, posts);
    }

    private static async Task<long> PostUntilAcknowledgedAsync(IThreadGrain thread, NewComment comment)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                return await thread.Post(comment);
            }
            catch (ChatException ex) when (ex.Kind == ChatErrorKind.StorageUnavailable && DateTime.UtcNow < deadline)
            {
            }
        }
    }
}
