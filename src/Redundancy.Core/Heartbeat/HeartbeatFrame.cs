using Redundancy.Core.Roles;

namespace Redundancy.Core.Heartbeat;

/// <summary>
/// One heartbeat as it travels on every link. A value type so that sending and receiving allocate nothing.
/// </summary>
/// <param name="PairId">The pair this frame belongs to; frames of another pair are dropped.</param>
/// <param name="NodeId">The sender's node id (1-255).</param>
/// <param name="Role">The sender's role.</param>
/// <param name="Priority">The sender's configured priority (higher is preferred).</param>
/// <param name="Readiness">The sender's replica readiness.</param>
/// <param name="Health">The sender's health flags.</param>
/// <param name="Epoch">The sender's epoch (generation of the last takeover it knows of).</param>
/// <param name="LastAppliedSequence">The sender's last applied change sequence.</param>
/// <param name="SendIntervalMicros">The sender's heartbeat interval in microseconds.</param>
/// <param name="Instance">The sender's instance: 64 random bits drawn at every start, never reused. Frames of an
/// instance are told apart from those of any other run of the same node without any ordering between runs.</param>
/// <param name="Counter">The sender's frame counter within <paramref name="Instance"/>: 64 bits, so it never wraps.</param>
/// <param name="EchoInstance">The instance of the newest frame the sender heard from another node (0: none).</param>
/// <param name="EchoCounter">That frame's counter. A receiver that finds its own current instance and one of its recent
/// counters here knows the sender heard it moments ago: the freshness a recorded frame cannot have.</param>
/// <param name="ServiceLevel">The sender's OPC UA service level (0-255, see <see cref="Roles.ServiceLevel"/>).</param>
/// <param name="Mode">The sender's redundancy mode (OPC UA Part 4), with <paramref name="ServiceLevel"/>.</param>
/// <param name="MaintenanceVersion">The version of the pair's maintenance setting as the sender holds it (the
/// setting itself is <see cref="HealthFlags.Maintenance"/>): the newer version wins on both nodes.</param>
/// <param name="HandoverUid">While the sender hands over (<see cref="HealthFlags.HandingOver"/>): the uid of whoever
/// asked for the switchover, for the event on the node taking over; -1 otherwise.</param>
public readonly record struct HeartbeatFrame(
    uint PairId,
    byte NodeId,
    Role Role,
    byte Priority,
    Readiness Readiness,
    HealthFlags Health,
    ulong Epoch,
    ulong LastAppliedSequence,
    uint SendIntervalMicros,
    ulong Instance,
    ulong Counter,
    ulong EchoInstance = 0,
    ulong EchoCounter = 0,
    byte ServiceLevel = 0,
    RedundancyMode Mode = RedundancyMode.BackupNotReady,
    uint MaintenanceVersion = 0,
    int HandoverUid = -1);
