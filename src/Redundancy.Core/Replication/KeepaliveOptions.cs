namespace Redundancy.Core.Replication;

/// <summary>
/// Keepalive timing of a replication session (both nodes run the same build, so both use the same values).
/// Defaults: a keepalive after 250 ms without a send; the stream counts as silent after 3 intervals without a
/// message while the receiver waits (readiness drops from hot, with an alarm), and dead after 6 (the session is
/// closed and dialled again); a send that does not complete within 5 s ends the session too.
/// </summary>
public sealed record KeepaliveOptions
{
    /// <summary>A sender with nothing else to send sends a keepalive this long after its last message.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Intervals without a message (while waiting for one) after which the stream is silent.</summary>
    public int SilentAfterMissed { get; init; } = 3;

    /// <summary>Intervals without a message (while waiting for one) after which the session is dead.</summary>
    public int DeadAfterMissed { get; init; } = 6;

    /// <summary>Longest one send may take (the peer not reading, or a black hole once the socket buffer is full).</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Silence that makes the stream <see cref="LivenessState.Silent"/>.</summary>
    public TimeSpan SilentAfter => Interval * SilentAfterMissed;

    /// <summary>Silence that makes the session <see cref="LivenessState.Dead"/>.</summary>
    public TimeSpan DeadAfter => Interval * DeadAfterMissed;
}
