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
    ulong EchoCounter = 0);
