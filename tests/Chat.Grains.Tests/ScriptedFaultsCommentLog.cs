using System.Collections.Concurrent;
using Chat.Grains.Storage;

namespace Chat.Grains.Tests;

/// <summary>
/// A comment log (in memory or on Azurite) with faults a test scripts for one thread: hold an append until the
/// test decides its outcome, make it fail before or after it reached the table, fail the next few
/// appends, make reads fail (storage down, not just a write that timed out), and see which seqs
/// have landed. Threads no test scripted pass straight through.
/// </summary>
internal sealed class ScriptedFaultsCommentLog(ICommentLog inner) : ICommentLog
{
    // Silos are built by type in the test cluster, so tests reach the scripts through a static.
    private static readonly ConcurrentDictionary<string, ThreadScript> Scripts = new();

    /// <summary>Starts scripting a thread's appends (before the posts it is about).</summary>
    public static ThreadScript For(string threadId) => Scripts.GetOrAdd(threadId, _ => new ThreadScript());

    public async Task AppendAsync(string threadId, IReadOnlyList<StoredComment> batch, CancellationToken cancellationToken = default)
    {
        if (!Scripts.TryGetValue(threadId, out var script))
        {
            await inner.AppendAsync(threadId, batch, cancellationToken);
            return;
        }
        var seqs = batch.Select(c => c.Comment.Seq).ToArray();
        if (script.TakeHold() is { } hold)
        {
            var outcome = await hold.ReachedAsync(seqs);
            if (outcome is AppendOutcome.LandsButFails or AppendOutcome.Succeeds)
            {
                await inner.AppendAsync(threadId, batch, cancellationToken);
                script.RecordLanded(seqs);
            }
            if (outcome is not AppendOutcome.Succeeds) throw new CommentLogUnavailableException($"Scripted failure of the append of seqs {seqs[0]}..{seqs[^1]}");
            return;
        }
        if (script.TakeFailure()) throw new CommentLogUnavailableException($"Scripted failure of the append of seqs {seqs[0]}..{seqs[^1]}");
        await inner.AppendAsync(threadId, batch, cancellationToken);
        script.RecordLanded(seqs);
    }

    public Task<IReadOnlyList<StoredComment>> ReadAsync(string threadId, long afterSeq, int limit, CancellationToken cancellationToken = default) =>
        Scripts.TryGetValue(threadId, out var script) && (script.ReadsFail || script.TakeReadFailure())
            ? Task.FromException<IReadOnlyList<StoredComment>>(new CommentLogUnavailableException($"Scripted failure of a read of thread {threadId}"))
            : inner.ReadAsync(threadId, afterSeq, limit, cancellationToken);

    public Task<StoredComment?> ReadOneAsync(string threadId, long seq, CancellationToken cancellationToken = default) =>
        inner.ReadOneAsync(threadId, seq, cancellationToken);

    public Task ReplaceAsync(StoredComment comment, CancellationToken cancellationToken = default) =>
        inner.ReplaceAsync(comment, cancellationToken);

    public Task ReplaceKeepingAsync(StoredComment comment, CommentVersion earlier, CancellationToken cancellationToken = default) =>
        inner.ReplaceKeepingAsync(comment, earlier, cancellationToken);

    public Task<IReadOnlyList<CommentVersion>> ReadHistoryAsync(string threadId, long seq, CancellationToken cancellationToken = default) =>
        inner.ReadHistoryAsync(threadId, seq, cancellationToken);

    public Task<string?> NextThreadIdAsync(string? afterThreadId, CancellationToken cancellationToken = default) =>
        inner.NextThreadIdAsync(afterThreadId, cancellationToken);

    public Task<long> CountGoneAsync(string threadId, CancellationToken cancellationToken = default) =>
        inner.CountGoneAsync(threadId, cancellationToken);

    public Task<long> ReadThreadPointsAsync(string threadId, CancellationToken cancellationToken = default) =>
        inner.ReadThreadPointsAsync(threadId, cancellationToken);

    public Task<IReadOnlyList<long>> ReadVotesOfAsync(string threadId, string voter, CancellationToken cancellationToken = default) =>
        inner.ReadVotesOfAsync(threadId, voter, cancellationToken);

    public Task<bool> ApplyVoteAsync(string threadId, long seq, string voter, bool up, long pointsAfter, CancellationToken cancellationToken = default) =>
        inner.ApplyVoteAsync(threadId, seq, voter, up, pointsAfter, cancellationToken);
}

public enum AppendOutcome { Succeeds, FailsUnwritten, LandsButFails }

internal sealed class ThreadScript
{
    private readonly ConcurrentQueue<HeldAppend> _holds = new();
    private readonly ConcurrentDictionary<long, bool> _landed = new();
    private int _failures;

    /// <summary>The next append of the thread waits until the test settles it.</summary>
    public HeldAppend HoldNextAppend()
    {
        var hold = new HeldAppend();
        _holds.Enqueue(hold);
        return hold;
    }

    /// <summary>The next n appends of the thread fail without writing anything.</summary>
    public void FailNextAppends(int n) => Interlocked.Add(ref _failures, n);

    /// <summary>While true, reading the thread's comments fails as if storage did not answer.</summary>
    public bool ReadsFail { get => Volatile.Read(ref _readsFail); set => Volatile.Write(ref _readsFail, value); }

    private bool _readsFail;
    private int _readFailures;

    /// <summary>The next n reads of the thread's comments fail as if they timed out.</summary>
    public void FailNextReads(int n) => Interlocked.Add(ref _readFailures, n);

    internal bool TakeReadFailure() => Take(ref _readFailures);

    /// <summary>Seqs this log has written for the thread (through this script).</summary>
    public bool HasLanded(long seq) => _landed.ContainsKey(seq);

    internal HeldAppend? TakeHold() => _holds.TryDequeue(out var hold) ? hold : null;

    internal bool TakeFailure() => Take(ref _failures);

    private static bool Take(ref int count)
    {
        while (true)
        {
            var n = Volatile.Read(ref count);
            if (n == 0) return false;
            if (Interlocked.CompareExchange(ref count, n - 1, n) == n) return true;
        }
    }

    internal void RecordLanded(long[] seqs)
    {
        foreach (var seq in seqs) _landed[seq] = true;
    }
}

internal sealed class HeldAppend
{
    private readonly TaskCompletionSource<long[]> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<AppendOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The seqs of the held append, once the grain has started it.</summary>
    public Task<long[]> Reached => _reached.Task;

    public void Settle(AppendOutcome outcome) => _outcome.TrySetResult(outcome);

    internal Task<AppendOutcome> ReachedAsync(long[] seqs)
    {
        _reached.TrySetResult(seqs);
        return _outcome.Task;
    }
}
