using System.Diagnostics.Metrics;

namespace Chat.Grains;

/// <summary>
/// The "Chat" meter: what an operator watches to see group commit and fan-out working. Exported by
/// the hosts' metrics endpoint; tests read it with a MeterListener.
/// </summary>
public sealed class ChatMetrics
{
    public const string MeterName = "Chat";

    private readonly Counter<long> _commentsAcknowledged;
    private readonly Counter<long> _flushes;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _flushLatency;
    private readonly Counter<long> _observerNotifications;
    private readonly Counter<long> _signalRMessages;
    private readonly Counter<long> _signalRDeliveries;
    private readonly UpDownCounter<long> _connections;
    private readonly Meter _meter;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _commentsAcknowledged = meter.CreateCounter<long>("chat.comments.acknowledged", description: "Comments durably stored and settled in seq order: from then on their posters (or their retries) get their seqs");
        _flushes = meter.CreateCounter<long>("chat.flushes", description: "Group-commit transactions written to the comment log");
        _batchSize = meter.CreateHistogram<int>("chat.flush.batch_size", description: "Comments per group-commit transaction");
        _flushLatency = meter.CreateHistogram<double>("chat.flush.duration", unit: "ms", description: "Time to write one group-commit transaction");
        _observerNotifications = meter.CreateCounter<long>("chat.observer.notifications", description: "Batches sent from thread grains to web nodes (one per node per batch)");
        _signalRMessages = meter.CreateCounter<long>("chat.signalr.messages", description: "comments pushes sent by a web node to its local SignalR groups");
        _signalRDeliveries = meter.CreateCounter<long>("chat.signalr.deliveries", description: "comments pushes times the local readers they went to");
        _connections = meter.CreateUpDownCounter<long>("chat.signalr.connections", description: "Open hub connections on this web node");
    }

    /// <summary>Threads this web node is subscribed to (readers' threads), read when metrics are collected.</summary>
    public void ObserveSubscribedThreads(Func<int> count) =>
        _meter.CreateObservableGauge("chat.relay.threads", count, description: "Threads this web node is subscribed to");

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

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

    public void SignalRGroupMessageSent(int readers)
    {
        _signalRMessages.Add(1);
        _signalRDeliveries.Add(readers);
    }
}
