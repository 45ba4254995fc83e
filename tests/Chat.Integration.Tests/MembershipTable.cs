using Azure.Data.Tables;

namespace Chat.Integration.Tests;

/// <summary>
/// The cluster's membership table (Orleans' Azure Table clustering), read as an operator would to
/// see whether the cluster has declared a silo dead.
/// </summary>
public sealed class MembershipTable(AzuriteServer azurite, string clusterId)
{
    private readonly TableClient _table = azurite.Table("OrleansSiloInstances");

    /// <summary>The Status column ("Active", "Dead", …) of the silo listening on siloPort; null if it has no row.</summary>
    public async Task<string?> StatusOfAsync(int siloPort)
    {
        var port = siloPort.ToString();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId))
            if (row.GetString("Port") == port) return row.GetString("Status");
        return null;
    }

    /// <summary>Silos the table has ever declared dead in this cluster (a false positive if none was stopped).</summary>
    public async Task<int> DeadCountAsync()
    {
        var dead = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId))
            if (row.GetString("Status") == "Dead") dead++;
        return dead;
    }
}
