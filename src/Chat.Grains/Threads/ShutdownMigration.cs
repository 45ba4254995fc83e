using Orleans.Runtime.Placement;

namespace Chat.Grains.Threads;

/// <summary>
/// Where a thread goes when its silo stops gracefully. Orleans 10 deactivates every activation of a
/// stopping silo (DeactivationReason ShuttingDown) and migrates none; the next call then activates the
/// thread elsewhere, which reads it from storage while its posters wait. A thread asked to migrate
/// from its OnDeactivateAsync moves instead, with its memory (<see cref="ThreadHandover"/>), and the
/// calls that arrive meanwhile are forwarded to it. The target is named (a placement hint), because
/// the thread's own placement may still pick the stopping silo, which would make it a deactivation.
/// </summary>
internal static class ShutdownMigration
{
    /// <summary>A random other active silo, as the thread's random placement would pick; null if there is none.</summary>
    public static SiloAddress? PickTarget(IClusterMembershipService membership, SiloAddress self)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress)
            .ToArray();
        return others.Length == 0 ? null : others[Random.Shared.Next(others.Length)];
    }

    /// <summary>Asks the deactivating grain to migrate to target (Orleans carries it out after OnDeactivateAsync).</summary>
    public static void Start(IGrainContext grain, SiloAddress target) =>
        grain.Migrate(new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = target });
}
