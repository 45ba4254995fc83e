using System.Diagnostics.Metrics;
using Chat.Grains.Storage;

namespace Chat.Grains;

/// <summary>
/// The grains' half of the "Chat" meter: group commit and the fan-out to web nodes. The web host's
/// half (SignalR pushes, connections) is its WebMetrics, in the same meter. Exported by the hosts'
/// metrics endpoint; tests read it with a MeterListener.
/// </summary>
public sealed class ChatMetrics
{
    public const string MeterName = ChatMeter.Name;

    private readonly Counter<long> _commentsAcknowledged;
    private readonly Counter<long> _flushes;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _flushLatency;
    private readonly Counter<long> _observerNotifications;
    private readonly Counter<long> _threadsHandedOver;
    private readonly Counter<long> _followersNotified;
    private long _commentLogErrors;
    private long _grainStateErrors;

    public ChatMetrics(IMeterFactory meterFactory) : this(meterFactory, new PostStages(meterFactory))
    {
    }

    /// <summary>With the process's one <see cref="PostStages"/> (a DI singleton the web node shares when co-hosted).</summary>
    public ChatMetrics(IMeterFactory meterFactory, PostStages stages)
    {
        var meter = meterFactory.Create(MeterName);
        _commentsAcknowledged = meter.CreateCounter<long>("chat.comments.acknowledged", description: "Comments durably stored and settled in seq order: from then on their posters (or their retries) get their seqs");
        _flushes = meter.CreateCounter<long>("chat.flushes", description: "Group-commit transactions written to the comment log");
        _batchSize = meter.CreateHistogram<int>("chat.flush.batch_size", description: "Comments per group-commit transaction");
        _flushLatency = meter.CreateHistogram<double>("chat.flush.duration", unit: "ms", description: "Time to write one group-commit transaction");
        _observerNotifications = meter.CreateCounter<long>("chat.observer.notifications", description: "Batches sent from thread grains to web nodes (one per node per batch)");
        Stages = stages;
        // Observable, so that both series exist at 0 from the start: Prometheus' increase() cannot
        // see the first error of a series that only appears with it, and the alert would miss it.
        meter.CreateObservableCounter("chat.storage.errors", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _commentLogErrors), new KeyValuePair<string, object?>("store", StorageErrorPolicy.CommentLog)),
            new Measurement<long>(Interlocked.Read(ref _grainStateErrors), new KeyValuePair<string, object?>("store", StorageErrorPolicy.GrainState)),
        }, description: "Storage requests that failed (no answer in time, or a 5xx, 408 or 429 answer), by store: the comment log or grain state");
        _followersNotified = meter.CreateCounter<long>("chat.followers.notified", description: "Inbox calls from followed threads to their followers (coalesced: at most one per follower per Chat:Inbox:FollowedPeriod)");
        _threadsHandedOver = meter.CreateCounter<long>("chat.threads.handed_over", description: "Threads activated on this silo with the memory of a migrating activation (a silo stopping gracefully, a rebalancing): they read nothing from storage");
    }

    /// <summary>A thread took over a migrating activation's memory (<see cref="Threads.ThreadHandover"/>).</summary>
    public void ThreadHandedOver() => _threadsHandedOver.Add(1);

    /// <summary>Called by <see cref="StorageErrorPolicy"/> for every failed request to Azure Table Storage.</summary>
    public void StorageRequestFailed(string store) =>
        Interlocked.Increment(ref store == StorageErrorPolicy.CommentLog ? ref _commentLogErrors : ref _grainStateErrors);

    /// <summary>Where a post's time goes (<see cref="PostStages"/>); the web node's stages use the same instance when co-hosted.</summary>
    public PostStages Stages { get; }

    public void RecordFlush(int batchSize, TimeSpan duration)
    {
        _flushes.Add(1);
        _batchSize.Record(batchSize);
        _flushLatency.Record(duration.TotalMilliseconds);
    }

    /// <summary>
    /// At settlement, in seq order: a write that landed while an earlier one was in doubt is not
    /// counted until it settles (and its posters may have been told "unavailable" meanwhile).
    /// </summary>
    public void CommentsAcknowledged(int comments)
    {
        if (comments > 0) _commentsAcknowledged.Add(comments);
    }

    public void ObserverNotificationSent() => _observerNotifications.Add(1);

    public void FollowersNotified(int calls)
    {
        if (calls > 0) _followersNotified.Add(calls);
    }
}
