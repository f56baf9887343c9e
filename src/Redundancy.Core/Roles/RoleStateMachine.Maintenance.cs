using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Roles;

/// <summary>
/// Maintenance: one setting for the pair, with a version. Turning it on or off at either node makes a newer version;
/// every frame carries the setting and its version, and a node that hears a newer one takes it. So it holds on both
/// nodes, survives the death of the node it was set on (the survivor keeps it), and turning it off at the survivor
/// wins over the older "on" that the other node brings back when it restarts. Both nodes persist it (the engine saves
/// <see cref="Maintenance"/> and <see cref="MaintenanceVersion"/> when they change). No automatic takeover happens
/// while it is on (the gate is in <c>TakeOver</c>).
/// </summary>
public sealed partial class RoleStateMachine
{
    private bool _maintenanceAlarm;

    /// <summary>Whether the pair is in maintenance, as this node holds the setting.</summary>
    public bool Maintenance { get; private set; }

    /// <summary>The version of <see cref="Maintenance"/>: 0 never set; each change at either node makes a newer one.</summary>
    public uint MaintenanceVersion { get; private set; }

    /// <summary>The node id whose frame brought the current setting, or 0 when it was set here (or restored).</summary>
    public byte MaintenanceFrom { get; private set; }

    /// <summary>Whether the pair is in maintenance (the same as <see cref="Maintenance"/>: one setting for the pair).</summary>
    public bool PairInMaintenance => Maintenance;

    /// <summary>Restores the persisted setting at start, before any frame.</summary>
    public void RestoreMaintenance(bool on, uint version)
    {
        Maintenance = on;
        MaintenanceVersion = version;
        MaintenanceFrom = 0;
    }

    /// <summary>
    /// Turns the pair's maintenance on or off from this node: a version newer than any this node has seen, so that it
    /// wins at the peer too.
    /// </summary>
    public void SetMaintenance(bool on)
    {
        var newest = Math.Max(MaintenanceVersion, _peerHeard ? _peer.MaintenanceVersion : 0);
        Maintenance = on;
        MaintenanceVersion = newest == uint.MaxValue ? newest : newest + 1;
        MaintenanceFrom = 0;
        if (!on)
        {
            Clear(ref _maintenanceAlarm, AlarmKind.MaintenanceBlocksTakeover, "pair", "maintenance turned off");
        }
    }

    /// <summary>Takes the peer's setting when its version is newer; at equal versions (set at both nodes at once while
    /// they did not hear each other), on wins: the safe side, and the same answer on both nodes.</summary>
    private void NotePeerMaintenance(in HeartbeatFrame frame)
    {
        var on = (frame.Health & HealthFlags.Maintenance) != 0; // not HasFlag: unoptimised code boxes it
        if (frame.MaintenanceVersion > MaintenanceVersion || (frame.MaintenanceVersion == MaintenanceVersion && on && !Maintenance))
        {
            Maintenance = on;
            MaintenanceVersion = frame.MaintenanceVersion;
            MaintenanceFrom = frame.NodeId;
            if (!on)
            {
                Clear(ref _maintenanceAlarm, AlarmKind.MaintenanceBlocksTakeover, "pair", $"maintenance turned off at node {frame.NodeId}");
            }
        }
    }
}
