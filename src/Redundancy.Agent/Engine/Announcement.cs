using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>What this node says about itself in its heartbeats; replaced whole by the engine, read by senders.</summary>
/// <param name="Role">The role.</param>
/// <param name="Epoch">The epoch.</param>
/// <param name="Readiness">The replica's readiness.</param>
/// <param name="Health">The health bits (links, maintenance, handover, what is wired, what failed).</param>
/// <param name="Level">The OPC UA service level and mode.</param>
/// <param name="MaintenanceVersion">The version of the pair's maintenance setting held here.</param>
/// <param name="HandoverUid">While handing over: the switchover's caller; else -1.</param>
internal sealed record Announcement(Role Role, ulong Epoch, Readiness Readiness, HealthFlags Health, ServiceLevel Level, uint MaintenanceVersion = 0, int HandoverUid = -1)
{
    /// <summary>What a node announces before the engine's first decision: starting, no data.</summary>
    public static Announcement Starting(ulong epoch, HealthFlags health, uint maintenanceVersion = 0) =>
        new(Role.Starting, epoch, Readiness.NotReady, health, new ServiceLevel(ServiceLevel.NoData, RedundancyMode.BackupNotReady), maintenanceVersion);
}

/// <summary>
/// The announcements of the current epoch, one per (role, readiness, health, level): readiness flaps between hot and
/// warm under writes, and the engine, a real-time thread, must not allocate a new one for each change.
/// </summary>
internal sealed class AnnouncementCache
{
    private readonly Dictionary<(Role, Readiness, HealthFlags, ServiceLevel), Announcement> _made = [];
    private (ulong Epoch, uint MaintenanceVersion, int HandoverUid) _era;

    public Announcement For(Role role, ulong epoch, Readiness readiness, HealthFlags health, ServiceLevel level, uint maintenanceVersion, int handoverUid)
    {
        if ((epoch, maintenanceVersion, handoverUid) != _era)
        {
            _made.Clear();
            _era = (epoch, maintenanceVersion, handoverUid);
        }

        if (!_made.TryGetValue((role, readiness, health, level), out var a))
        {
            a = new Announcement(role, epoch, readiness, health, level, maintenanceVersion, handoverUid);
            _made[(role, readiness, health, level)] = a;
        }

        return a;
    }
}
