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
/// <param name="Sequence">Per-sender sequence: boot counter in the high 32 bits, frame counter in the low 32.</param>
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
    ulong Sequence);
