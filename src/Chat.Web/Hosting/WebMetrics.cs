using System.Diagnostics.Metrics;

namespace Chat.Web.Hosting;

/// <summary>
/// The web node's half of the "Chat" meter: how many hub connections it holds and how many pushes it
/// makes to its local SignalR groups. Only web nodes have these, so they live here, not in the grains.
/// </summary>
public sealed class WebMetrics
{
    private readonly Counter<long> _signalRMessages;
    private readonly Counter<long> _signalRDeliveries;
    private readonly UpDownCounter<long> _connections;
    private readonly Histogram<double> _postAckLatency;
    private long _postRetries;
    private readonly long[] _postFailures = new long[PostFailureReasons.Length];
    private readonly Meter _meter;

    /// <summary>Why a post failed, as chat_post_failures_total's reason label: the refusal kinds, then the cluster's and unexpected failures.</summary>
    public static readonly string[] PostFailureReasons =
        [.. Enum.GetValues<ChatErrorKind>().Select(ReasonName), ClusterUnavailable, UnexpectedError];

    public const string ClusterUnavailable = "cluster_unavailable";
    public const string UnexpectedError = "error";

    public WebMetrics(IMeterFactory meterFactory)
    {
        // The same meter as the grains' ChatMetrics (the factory hands out one instance per name), so
        // dashboards and alerts find every chat_* series under one name in either topology.
        var meter = _meter = meterFactory.Create(ChatMeter.Name);
        _signalRMessages = meter.CreateCounter<long>("chat.signalr.messages", description: "comments pushes sent by a web node to its local SignalR groups");
        _signalRDeliveries = meter.CreateCounter<long>("chat.signalr.deliveries", description: "comments pushes times the local readers they went to");
        _connections = meter.CreateUpDownCounter<long>("chat.signalr.connections", description: "Open hub connections on this web node");
        _postAckLatency = meter.CreateHistogram("chat.post.ack_latency", unit: "ms", description: "Post received by this web node (hub or API) to its seq acknowledged, retries through a failover included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PostStages.BucketsMs });
        // Observable, so that every reason is a series at 0 from the start (an alert's rate() needs the 0 before the first failure).
        meter.CreateObservableCounter("chat.post.failures", () => PostFailureReasons.Select((reason, i) =>
            new Measurement<long>(Interlocked.Read(ref _postFailures[i]), new KeyValuePair<string, object?>("reason", reason))),
            description: "Posts that got an error instead of a seq, by reason: refusals (invalid, rate_limited, ...), storage_unavailable, cluster_unavailable, error");
        // Observable for the same reason: a 0 before the first retry.
        meter.CreateObservableCounter("chat.post.retries", () => Interlocked.Read(ref _postRetries),
            description: "Post attempts this web node retried (same clientId) because the cluster changed under them: a silo stopping, dying or hanging");
    }

    /// <summary>A post attempt failed on a cluster change and is tried again (<see cref="ClusterRetry"/>).</summary>
    public void PostRetried() => Interlocked.Increment(ref _postRetries);

    public void PostAcknowledged(TimeSpan latency) => _postAckLatency.Record(latency.TotalMilliseconds);

    public void PostFailed(Exception ex)
    {
        var reason = ex switch
        {
            ChatException chat => ReasonName(chat.Kind),
            TimeoutException or OrleansException => ClusterUnavailable,
            _ => UnexpectedError,
        };
        Interlocked.Increment(ref _postFailures[Array.IndexOf(PostFailureReasons, reason)]);
    }

    /// <summary>StorageUnavailable → "storage_unavailable".</summary>
    private static string ReasonName(ChatErrorKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Threads this web node is subscribed to (readers' threads), read when metrics are collected.</summary>
    public void ObserveSubscribedThreads(Func<int> count) =>
        _meter.CreateObservableGauge("chat.relay.threads", count, description: "Threads this web node is subscribed to");

    /// <summary>The node's connection limit (Chat:Limits:ConnectionsPerNode), when there is one.</summary>
    public void ObserveConnectionLimit(int limit) =>
        _meter.CreateObservableGauge("chat.signalr.connection_limit", () => limit, description: "Open hub connections this web node accepts (Chat:Limits:ConnectionsPerNode); absent when unlimited");

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void SignalRGroupMessageSent(int readers)
    {
        _signalRMessages.Add(1);
        _signalRDeliveries.Add(readers);
    }
}
