using System.Diagnostics.Metrics;
using Chat.Grains.Storage;
using Chat.Grains.Threads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Grains.Tests;

/// <summary>
/// The commit pipeline on its own, without a silo: the in-memory comment log (which the contract
/// tests hold to the table log's behaviour) with scripted faults, driven on one exclusive scheduler
/// as a grain would drive it.
/// </summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class CommitPipelineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_later_batch_that_lands_first_is_acknowledged_only_after_the_earlier_one_and_in_seq_order()
    {
        using var thread = new PipelineHarness();
        var (held, posts) = await thread.HoldSeq1WhileSeqs2To101LandAsync(151);

        Assert.DoesNotContain(posts, p => p.IsCompleted);
        Assert.Empty(thread.SettledBatches);
        Assert.Equal(0, thread.Acknowledged.Total);

        held.Settle(AppendOutcome.Succeeds);
        var seqs = await Task.WhenAll(posts).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(1, 151).Select(i => (long)i), seqs); // each post its own seq, in the order they came
        Assert.Equal(Enumerable.Range(1, 151).Select(i => (long)i), thread.SettledBatches.SelectMany(b => b));
        Assert.Equal([1L, 2L, 102L], thread.SettledBatches.Select(b => b[0]));
        Assert.Equal(151, thread.Acknowledged.Total);
    }

    [Fact]
    public async Task A_failed_write_is_written_again_after_the_log_is_re_read_and_its_posters_and_those_queued_behind_it_get_their_seqs()
    {
        using var thread = new PipelineHarness();
        var (held, first) = await thread.HoldSeq1Async();
        var queued = await Task.WhenAll(Enumerable.Range(2, 2).Select(thread.PostAsync)); // wait for the next transaction

        held.Settle(AppendOutcome.FailsUnwritten); // a write that timed out on a busy machine: slow, not refused

        var seqs = await Task.WhenAll((Task<long>[])[first, .. queued]).WaitAsync(Deadline);
        Assert.Equal(new long[] { 1, 2, 3 }, seqs);
        Assert.Equal([1L, 2L, 3L], thread.SettledBatches.SelectMany(b => b));
        Assert.Equal(3, thread.Acknowledged.Total);
        Assert.Equal(["comment 1", "comment 2", "comment 3"], (await thread.Log.ReadAsync(thread.ThreadId, 0, 10)).Select(c => c.Comment.Body));
    }

    [Fact]
    public async Task A_re_read_that_times_out_too_is_tried_again_and_the_posters_still_get_their_seqs()
    {
        using var thread = new PipelineHarness();
        var (held, first) = await thread.HoldSeq1Async();
        var second = await thread.PostAsync(2);

        thread.Script.FailNextReads(CommitPipeline.MaxReReadAttempts - 1); // a saturated machine: reads time out too, for a while
        held.Settle(AppendOutcome.LandsButFails);

        var seqs = await Task.WhenAll(first, second).WaitAsync(Deadline);
        Assert.Equal(new long[] { 1, 2 }, seqs);
        Assert.Equal(2, (await thread.Log.ReadAsync(thread.ThreadId, 0, 10)).Count);
    }

    [Fact]
    public async Task When_the_log_does_not_answer_the_re_read_either_every_waiting_poster_is_told_storage_unavailable_and_nothing_settles()
    {
        using var thread = new PipelineHarness();
        var (held, first) = await thread.HoldSeq1Async();
        var queued = await Task.WhenAll(Enumerable.Range(2, 2).Select(thread.PostAsync));

        thread.Script.ReadsFail = true; // storage is down, not just slow
        held.Settle(AppendOutcome.FailsUnwritten);

        foreach (var post in (Task<long>[])[first, .. queued])
            Assert.Equal(ChatErrorKind.StorageUnavailable, (await Assert.ThrowsAsync<ChatException>(() => post.WaitAsync(Deadline))).Kind);
        Assert.Empty(thread.SettledBatches);
        Assert.Equal(0, thread.Acknowledged.Total);
        // Storage answers again. Nothing was stored, so the next posts start at seq 1 again.
        thread.Script.ReadsFail = false;
        Assert.Equal(1, await (await thread.PostAsync(4)).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_post_whose_every_write_fails_is_given_up_after_three_attempts_and_the_next_post_starts_at_seq_1()
    {
        using var thread = new PipelineHarness();
        thread.Script.FailNextAppends(CommitPipeline.MaxWriteAttempts);

        var post = await thread.PostAsync(1);

        Assert.Equal(ChatErrorKind.StorageUnavailable, (await Assert.ThrowsAsync<ChatException>(() => post.WaitAsync(Deadline))).Kind);
        Assert.Empty(thread.SettledBatches);
        Assert.Equal(1, await (await thread.PostAsync(2)).WaitAsync(Deadline));
        Assert.Equal(["comment 2"], (await thread.Log.ReadAsync(thread.ThreadId, 0, 10)).Select(c => c.Comment.Body));
    }

    [Fact]
    public async Task A_hole_below_a_later_write_that_landed_is_filled_with_what_the_failed_write_carried()
    {
        using var thread = new PipelineHarness();
        var (held, posts) = await thread.HoldSeq1WhileSeqs2To101LandAsync(101);

        held.Settle(AppendOutcome.FailsUnwritten);

        // The re-read after the failure finds seq 1 missing under 2..101 and writes comment 1 there:
        // every poster gets the seq its comment was stored under.
        Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), await Task.WhenAll(posts).WaitAsync(Deadline));
        Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), thread.SettledBatches.Single());
        var stored = await thread.Log.ReadOneAsync(thread.ThreadId, 1);
        Assert.Equal(("comment 1", false), (stored!.Comment.Body, stored.Comment.Deleted));
        Assert.Equal(101, thread.Recent.LastSeq);
    }

    [Fact]
    public async Task Retries_with_the_same_client_id_get_the_same_seq_while_waiting_after_a_failure_that_landed_and_after_settling()
    {
        using var thread = new PipelineHarness();
        var (held, first) = await thread.HoldSeq1Async();

        var waiting = await thread.PostAsync(1); // a retry while the first is in flight
        Assert.Same(first, waiting);
        held.Settle(AppendOutcome.LandsButFails);

        // The write had landed although it reported a failure: the re-read finds it, and the poster
        // (and any retry) gets that seq; nothing new is stored.
        Assert.Equal(1, await first.WaitAsync(Deadline));
        Assert.Equal(1, await (await thread.PostAsync(1)).WaitAsync(Deadline));
        Assert.Equal(2, await (await thread.PostAsync(2)).WaitAsync(Deadline));
        Assert.Equal(1, await (await thread.PostAsync(1)).WaitAsync(Deadline));
        Assert.Equal(2, (await thread.Log.ReadAsync(thread.ThreadId, 0, 10)).Count);
    }

    /// <summary>One thread's pipeline with its own metrics, run on an exclusive scheduler like a grain's.</summary>
    private sealed class PipelineHarness : IDisposable
    {
        private readonly TaskScheduler _scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly CommitPipeline _pipeline;

        public PipelineHarness()
        {
            Script = ScriptedFaultsCommentLog.For(ThreadId);
            Log = new ScriptedFaultsCommentLog(new InMemoryCommentLog());
            var meters = _services.GetRequiredService<IMeterFactory>();
            Acknowledged = new CounterReading(ChatMetrics.MeterName, "chat.comments.acknowledged", [meters]);
            _pipeline = new CommitPipeline(ThreadId, Log, Recent, maxFlushesInFlight: 2,
                batch => SettledBatches.Add(batch.Select(c => c.Comment.Seq).ToArray()),
                new ChatMetrics(meters), TimeProvider.System, NullLogger.Instance);
        }

        public string ThreadId { get; } = Limits.NewThreadId();
        public ThreadScript Script { get; }
        public ICommentLog Log { get; }
        public RecentComments Recent { get; } = new(hotWindowSize: 50, rememberedClientIds: 1_000);
        public CounterReading Acknowledged { get; }

        /// <summary>Seqs of each batch handed on as settled, in the order they were.</summary>
        public List<long[]> SettledBatches { get; } = [];

        /// <summary>Posts comment i (clientId c-i) as a grain would: a known client key gets its seq, else it is queued.</summary>
        public Task<Task<long>> PostAsync(int i) => Task.Factory.StartNew(() =>
        {
            var comment = new NewComment(0, "alice", $"comment {i}", $"c-{i}");
            var clientKey = RecentComments.ClientKey(comment.Author, comment.ClientId);
            return _pipeline.TryGetKnown(clientKey, out var known) ? known : _pipeline.Submit(comment, clientKey);
        }, CancellationToken.None, TaskCreationOptions.None, _scheduler);

        /// <summary>Post 1, whose write (seq 1) is held until the test settles it.</summary>
        public async Task<(HeldAppend Held, Task<long> First)> HoldSeq1Async()
        {
            var held = Script.HoldNextAppend();
            var first = await PostAsync(1);
            await held.Reached.WaitAsync(Deadline);
            return (held, first);
        }

        /// <summary>Seq 1's write held, posts 2..n queued behind it; the full batch 2..101 has landed as a second transaction on return.</summary>
        public async Task<(HeldAppend Held, Task<long>[] Posts)> HoldSeq1WhileSeqs2To101LandAsync(int n)
        {
            var (held, first) = await HoldSeq1Async();
            Task<long>[] posts = [first, .. await Task.WhenAll(Enumerable.Range(2, n - 1).Select(PostAsync))];
            await Eventually.True(() => Script.HasLanded(101), Deadline, "the second transaction (seqs 2..101) to land");
            return (held, posts);
        }

        public void Dispose()
        {
            Acknowledged.Dispose();
            _services.Dispose();
        }
    }
}
