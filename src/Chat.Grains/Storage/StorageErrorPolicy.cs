using Azure.Core;
using Azure.Core.Pipeline;

namespace Chat.Grains.Storage;

/// <summary>
/// Counts failed Azure Table Storage requests in <see cref="ChatMetrics"/> (chat_storage_errors_total),
/// in the SDK's pipeline, once per attempt: one place that sees every request of a store, whichever
/// code made it (the comment log's, or Orleans' grain storage's). "Not found" and "conflict" answers
/// are how the comment log and grain storage work (create-if-missing, ETags), not errors.
/// </summary>
internal sealed class StorageErrorPolicy(ChatMetrics metrics, string store) : HttpPipelinePolicy
{
    public const string CommentLog = "comment_log";
    public const string GrainState = "grain_state";

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        catch (Exception) when (!message.CancellationToken.IsCancellationRequested)
        {
            metrics.StorageRequestFailed(store); // no answer: refused, reset, or the network timeout
            throw;
        }
        Count(message);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception) when (!message.CancellationToken.IsCancellationRequested)
        {
            metrics.StorageRequestFailed(store);
            throw;
        }
        Count(message);
    }

    private void Count(HttpMessage message)
    {
        if (message.HasResponse && message.Response.Status is >= 500 or 408 or 429) metrics.StorageRequestFailed(store);
    }
}
