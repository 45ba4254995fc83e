using System.Diagnostics.Metrics;

namespace Chat.ServiceDefaults;

/// <summary>
/// chat_cluster_silos{status}: the silos of the cluster by membership status, as this silo sees
/// them. Orleans 10's own meter has no membership instrument; this is what "silos active = silos
/// running" alerts and the dashboard read. Dead silos stay in the membership table (and in this
/// count) until Orleans cleans up defunct entries, so their count grows with every crash and restart.
/// </summary>
internal sealed class ClusterMetrics
{
    private static readonly SiloStatus[] Reported = [SiloStatus.Joining, SiloStatus.Active, SiloStatus.ShuttingDown, SiloStatus.Stopping, SiloStatus.Dead];

    public ClusterMetrics(IMeterFactory meterFactory, ISiloStatusOracle oracle)
    {
        var meter = meterFactory.Create(ChatMeter.Name);
        meter.CreateObservableGauge("chat.cluster.silos", () =>
        {
            var statuses = oracle.GetApproximateSiloStatuses(onlyActive: false).Values;
            return Reported.Select(status => new Measurement<int>(statuses.Count(s => s == status), new KeyValuePair<string, object?>("status", Name(status))));
        }, description: "Silos in the cluster's membership by status (joining, active, shutting_down, stopping, dead), as this silo sees it");
    }

    private static string Name(SiloStatus status) => status switch
    {
        SiloStatus.ShuttingDown => "shutting_down",
        _ => status.ToString().ToLowerInvariant(),
    };
}
