using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;

namespace Chat.Grains.Threads;

/// <summary>
/// Chat:Threads:Balancing on each silo: every BalancePeriod it reads where the cluster's thread
/// activations are (the management grain's activation list) and, if <see cref="ThreadBalancePlan"/>
/// says this silo holds a surplus, asks those threads to migrate to the silos named (a placement
/// hint), as a graceful stop does. Orleans' own activation rebalancer balances all activations and,
/// with the user and front-page grains pinned to the first silos, moved every thread off them
/// (docs/performance.md); this counts threads only.
/// </summary>
internal sealed class ThreadBalancer(IGrainFactory grains, ILocalSiloDetails local, IOptions<ThreadGrainOptions> options, ILogger<ThreadBalancer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Balancing) return;
        using var timer = new PeriodicTimer(o.BalancePeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await BalanceOnceAsync();
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A silo joining or leaving as the cluster is read: the next period reads again.
                    logger.LogInformation(e, "Balancing threads skipped a period");
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task BalanceOnceAsync()
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var silos = await management.GetHosts(onlyActive: true);
        if (silos.Count < 2) return;
        var threadType = grains.GetGrain<IThreadGrain>("-").GetGrainId().Type;
        var activations = await management.GetDetailedGrainStatistics(null, [.. silos.Keys]);
        var bySilo = silos.Keys.ToDictionary(s => s, s => (IReadOnlyList<GrainId>)[.. activations
            .Where(a => a.SiloAddress.Equals(s) && a.GrainId.Type.Equals(threadType)).Select(a => a.GrainId).Distinct()]);
        var total = bySilo.Values.Sum(t => t.Count);
        var moves = ThreadBalancePlan.Moves(bySilo, local.SiloAddress, Math.Max(1, total / 10),
            Comparer<SiloAddress>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString())));
        foreach (var (thread, target) in moves)
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
            try { await grains.GetGrain(thread).AsReference<IGrainManagementExtension>().MigrateOnIdle(); }
            finally { RequestContext.Clear(); }
        }
        if (moves.Count > 0)
            logger.LogInformation("Handing {Count} of this silo's {Held} threads over to {Targets} ({Total} threads on {Silos} silos)",
                moves.Count, bySilo[local.SiloAddress].Count, string.Join(", ", moves.Select(m => m.Target).Distinct()), total, silos.Count);
    }
}
