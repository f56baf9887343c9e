using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Roles;

/// <summary>Maintenance: no automatic takeover on the pair while it holds (the gate is in <c>TakeOver</c>).</summary>
public sealed partial class RoleStateMachine
{
    private bool _maintenanceAlarm;
    private bool _peerMaintenance;

    /// <summary>Whether maintenance was turned on at this node (by a command), until turned off here.</summary>
    public bool Maintenance { get; private set; }

    /// <summary>Whether the pair is in maintenance as this node knows it: turned on here, or announced by the peer in
    /// its newest frame heard (kept while the peer is silent). No automatic takeover happens while it holds.</summary>
    public bool PairInMaintenance => Maintenance || _peerMaintenance;

    /// <summary>
    /// Turns maintenance on or off at this node. Off also forgets the peer's announcement of it, so an operator can
    /// end it on the survivor after the node that announced it died; if the peer still announces it, its next
    /// frame brings it back.
    /// </summary>
    public void SetMaintenance(bool on)
    {
        Maintenance = on;
        if (!on)
        {
            _peerMaintenance = false;
            Clear(ref _maintenanceAlarm, AlarmKind.MaintenanceBlocksTakeover, "pair", "maintenance turned off");
        }
    }

    /// <summary>Learns the peer's maintenance flag from its newest frame (kept while it is silent).</summary>
    private void NotePeerMaintenance(in HeartbeatFrame frame) =>
        _peerMaintenance = (frame.Health & HealthFlags.Maintenance) != 0; // not HasFlag: unoptimised code boxes it
}
