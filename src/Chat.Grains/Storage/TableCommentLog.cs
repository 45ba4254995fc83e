using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Storage;

/// <summary>
/// The comment log on Azure Table Storage (Azurite locally). Group commit lives in the grain; this
/// class only turns one batch into one transaction and one read into one range query.
/// </summary>
/// <remarks>
/// Votes live in the same partition as the thread's comments, as one row per (voter, target) with
/// RowKey "-v{voter}:{seq:D19}" (':' is not allowed in user names, so one voter's rows are one key
/// range: a page asks for "my votes in this thread" with one range query), and each target's count lives in its comment row's Points column
/// (the thread's own in the row "-thread"). Why here: a vote row and the count it changes are then
/// in one partition, so one transaction writes both: the count can never drift from the votes, and
/// "one vote per user" is enforced by the table itself (adding an existing row fails). Voter sets
/// stay out of grain state, which could not hold a popular comment's thousands of voters. The
/// rows' keys start with '-', which sorts before every digit, so the comment range queries
/// (RowKey gt "000…") of this and of older versions never see them.
/// </remarks>
public sealed class TableCommentLog(TableClient table, ILogger<TableCommentLog> logger) : ICommentLog
{
    private int _tableCreated;

    public const string DefaultTableName = "comments";

    public async Task AppendAsync(string threadId, IReadOnlyList<StoredComment> batch, CancellationToken cancellationToken = default)
    {
        if (batch.Count == 0) return;
        // Azurite answers a 101st operation with a confusing protocol error: enforce the limit here.
        if (batch.Count > Limits.MaxBatchSize)
            throw new ArgumentException($"A batch holds at most {Limits.MaxBatchSize} comments, got {batch.Count}.", nameof(batch));

        await EnsureTableAsync(cancellationToken);
        // AddEntity (not upsert): if a timed-out earlier attempt did land, this fails instead of
        // silently overwriting, and the grain re-reads the log to learn the truth.
        var actions = batch.Select(c => new TableTransactionAction(TableTransactionActionType.Add, CommentEntity.From(c))).ToList();
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (Exception ex) when (ex is RequestFailedException or TableTransactionFailedException or HttpRequestException or TaskCanceledException or OperationCanceledException or AggregateException)
        {
            logger.LogWarning(ex, "Append of {Count} comments to thread {ThreadId} failed", batch.Count, threadId);
            throw new CommentLogUnavailableException($"Writing {batch.Count} comments of thread {threadId} failed: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<StoredComment>> ReadAsync(string threadId, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        await EnsureTableAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {threadId} and RowKey gt {CommentEntity.RowKeyOf(afterSeq)}");
        var result = new List<StoredComment>(Math.Min(limit, 1000));
        try
        {
            await foreach (var e in table.QueryAsync<CommentEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
            {
                result.Add(e.ToStored());
                if (result.Count >= limit) break;
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TaskCanceledException or OperationCanceledException or AggregateException)
        {
            throw new CommentLogUnavailableException($"Reading comments of thread {threadId} failed: {ex.Message}", ex);
        }
        return result;
    }

    public async Task<string?> NextThreadIdAsync(string? afterThreadId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        // A skip scan: one small query per thread, not a read of every row.
        var filter = afterThreadId is null ? null : TableClient.CreateQueryFilter($"PartitionKey gt {afterThreadId}");
        try
        {
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
                return e.PartitionKey;
            return null;
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TaskCanceledException or OperationCanceledException or AggregateException)
        {
            throw new CommentLogUnavailableException($"Listing threads after {afterThreadId} failed: {ex.Message}", ex);
        }
    }

    public async Task<StoredComment?> ReadOneAsync(string threadId, long seq, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            var row = await table.GetEntityIfExistsAsync<CommentEntity>(threadId, CommentEntity.RowKeyOf(seq), cancellationToken: cancellationToken);
            return row.HasValue ? row.Value!.ToStored() : null;
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw new CommentLogUnavailableException($"Reading comment {seq} of thread {threadId} failed: {ex.Message}", ex);
        }
    }

    public async Task ReplaceAsync(StoredComment comment, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            // Replace, not upsert: the row must exist (a comment is only ever changed after it was stored).
            await table.UpdateEntityAsync(CommentEntity.From(comment), ETag.All, TableUpdateMode.Replace, cancellationToken);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw new CommentLogUnavailableException($"Updating comment {comment.Comment.Seq} of thread {comment.Comment.ThreadId} failed: {ex.Message}", ex);
        }
    }

    public async Task ReplaceKeepingAsync(StoredComment comment, CommentVersion earlier, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var c = comment.Comment;
        try
        {
            var kept = await HistoryKeysAsync(c.ThreadId, c.Seq, cancellationToken);
            var next = kept.Count == 0 ? 1 : kept[^1].Number + 1;
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(c.ThreadId, HistoryRowKey(c.Seq, next)) { ["Body"] = earlier.Body, ["At"] = earlier.At }),
                new(TableTransactionActionType.UpdateReplace, CommentEntity.From(comment), ETag.All),
            };
            // The oldest go when the comment would keep more than its share: one transaction, so never more nor fewer.
            foreach (var (rowKey, _) in kept.Take(Math.Max(0, kept.Count + 1 - (CommentVersion.MaxVersions - 1))))
                actions.Add(new(TableTransactionActionType.Delete, new TableEntity(c.ThreadId, rowKey), ETag.All));
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (Exception ex) when (IsStorageFailure(ex) || ex is TableTransactionFailedException)
        {
            throw new CommentLogUnavailableException($"Editing comment {c.Seq} of thread {c.ThreadId} failed: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<CommentVersion>> ReadHistoryAsync(string threadId, long seq, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var versions = new List<CommentVersion>();
        try
        {
            await foreach (var e in table.QueryAsync<TableEntity>(HistoryFilter(threadId, seq), cancellationToken: cancellationToken))
                versions.Add(new CommentVersion(e.GetString("Body") ?? "", e.GetDateTimeOffset("At") ?? default));
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw new CommentLogUnavailableException($"Reading the history of comment {seq} of thread {threadId} failed: {ex.Message}", ex);
        }
        return versions;
    }

    /// <summary>
    /// Earlier versions live beside their comment, in its partition, as rows "-h{seq:D19}:{n:D5}" (n
    /// counts the comment's edits): '-' keeps them out of the comment range queries, as the votes are.
    /// </summary>
    private static string HistoryRowKey(long seq, int number) =>
        $"-h{CommentEntity.RowKeyOf(seq)}:{number.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)}";

    private static string HistoryFilter(string threadId, long seq) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {threadId} and RowKey ge {"-h" + CommentEntity.RowKeyOf(seq) + ":"} and RowKey lt {"-h" + CommentEntity.RowKeyOf(seq) + ";"}");

    private async Task<List<(string RowKey, int Number)>> HistoryKeysAsync(string threadId, long seq, CancellationToken cancellationToken)
    {
        var keys = new List<(string, int)>();
        await foreach (var e in table.QueryAsync<TableEntity>(HistoryFilter(threadId, seq), select: ["RowKey"], cancellationToken: cancellationToken))
            keys.Add((e.RowKey, int.Parse(e.RowKey.AsSpan(e.RowKey.LastIndexOf(':') + 1), provider: System.Globalization.CultureInfo.InvariantCulture)));
        return keys;
    }

    public async Task<long> CountGoneAsync(string threadId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        // Filtered by the table, keys only: what travels is the (few) gone rows' keys, not the thread.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {threadId} and RowKey gt {CommentEntity.RowKeyOf(0)} and (Deleted eq {true} or Hidden eq {true})");
        long gone = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken)) gone++;
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw new CommentLogUnavailableException($"Counting the gone comments of thread {threadId} failed: {ex.Message}", ex);
        }
        return gone;
    }

    public async Task<long> ReadThreadPointsAsync(string threadId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(threadId, ThreadPointsRowKey, ["Points"], cancellationToken);
            return row.HasValue ? row.Value!.GetInt64("Points") ?? 0 : 0;
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw new CommentLogUnavailableException($"Reading the points of thread {threadId} failed: {ex.Message}", ex);
        }
    }

    public async Task<bool> ApplyVoteAsync(string threadId, long seq, string voter, bool up, long pointsAfter, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        var vote = new TableEntity(threadId, $"-v{voter}:{CommentEntity.RowKeyOf(seq)}");
        var count = new TableEntity(threadId, seq == 0 ? ThreadPointsRowKey : CommentEntity.RowKeyOf(seq)) { ["Points"] = pointsAfter };
        TableTransactionAction[] actions =
        [
            // Add fails if the vote exists, Delete if it does not: the table keeps one vote per user.
            new(up ? TableTransactionActionType.Add : TableTransactionActionType.Delete, vote, ETag.All),
            // Merge touches only Points; the thread's counter row is created by its first vote.
            new(seq == 0 ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpdateMerge, count, ETag.All),
        ];
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == 0 && ex.Status is 404 or 409)
        {
            return false;
        }
        catch (Exception ex) when (IsStorageFailure(ex) || ex is TableTransactionFailedException)
        {
            throw new CommentLogUnavailableException($"Writing a vote on {seq} of thread {threadId} failed: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<long>> ReadVotesOfAsync(string threadId, string voter, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        // ';' follows ':' in ordinal order: the range is exactly this voter's rows.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {threadId} and RowKey ge {"-v" + voter + ":"} and RowKey lt {"-v" + voter + ";"}");
        var seqs = new List<long>();
        try
        {
            await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
                seqs.Add(long.Parse(e.RowKey.AsSpan(e.RowKey.LastIndexOf(':') + 1), provider: System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw new CommentLogUnavailableException($"Reading the votes of {voter} in thread {threadId} failed: {ex.Message}", ex);
        }
        return seqs;
    }

    private const string ThreadPointsRowKey = "-thread";

    private static bool IsStorageFailure(Exception ex) =>
        ex is RequestFailedException or HttpRequestException or TaskCanceledException or OperationCanceledException or AggregateException;

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tableCreated) == 1) return;
        try
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TaskCanceledException or OperationCanceledException or AggregateException)
        {
            throw new CommentLogUnavailableException($"Creating table {table.Name} failed: {ex.Message}", ex);
        }
        Volatile.Write(ref _tableCreated, 1);
    }
}
