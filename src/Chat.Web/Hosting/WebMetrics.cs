using System.Diagnostics.Metrics;
using Chat.Grains;

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
    private readonly Meter _meter;

    public WebMetrics(IMeterFactory meterFactory)
    {
        // The same meter as the grains' ChatMetrics (the factory hands out one instance per name), so
        // dashboards and alerts find every chat_* series under one name in either topology.
        var meter = _meter = meterFactory.Create(ChatMetrics.MeterName);
        _signalRMessages = meter.CreateCounter<long>("chat.signalr.messages", description: "comments pushes sent by a web node to its local SignalR groups");
        _signalRDeliveries = meter.CreateCounter<long>("chat.signalr.deliveries", description: "comments pushes times the local readers they went to");
        _connections = meter.CreateUpDownCounter<long>("chat.signalr.connections", description: "Open hub connections on this web node");
    }

    /// <summary>Threads this web node is subscribed to (readers' threads), read when metrics are collected.</summary>
    public void ObserveSubscribedThreads(Func<int> count) =>
        _meter.CreateObservableGauge("chat.relay.threads", count, description: "Threads this web node is subscribed to");

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void SignalRGroupMessageSent(int readers)
    {
        _signalRMessages.Add(1);
        _signalRDeliveries.Add(readers);
    }
}
