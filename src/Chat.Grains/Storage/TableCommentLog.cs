using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Storage;

/// <summary>
/// The comment log on Azure Table Storage (Azurite locally). Group commit lives in the grain; this
/// class only turns one batch into one transaction and one read into one range query.
/// </summary>
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
