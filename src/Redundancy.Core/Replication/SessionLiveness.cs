namespace Redundancy.Core.Replication;

/// <summary>
/// The keepalive books of one replication session, pure: the channel says when it starts and ends waiting for a
/// message, when one arrived, when a send starts and ends; this decides whether a keepalive is due and whether
/// the peer is alive, silent or dead. Silence counts only while the receiver waits: a standby busy installing a
/// snapshot is not reading, and the messages waiting in its socket are not missing.
/// </summary>
/// <remarks>Thread-safe: the receive loop, the senders and the keepalive loop call it concurrently. Allocates nothing.</remarks>
public sealed class SessionLiveness
{
    private const long None = long.MinValue;
    private readonly TimeProvider _time;
    private long _waitingSince = None;
    private long _sendingSince = None;
    private long _lastSent;

    /// <summary>Starts the books now, as if a message had just been sent.</summary>
    public SessionLiveness(KeepaliveOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Interval <= TimeSpan.Zero || options.SilentAfterMissed < 1 || options.DeadAfterMissed < options.SilentAfterMissed || options.SendTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "keepalive: interval and send timeout must be positive, 1 <= silent <= dead missed intervals");
        }

        Options = options;
        _time = time;
        _lastSent = time.GetTimestamp();
    }

    /// <summary>The timing.</summary>
    public KeepaliveOptions Options { get; }

    /// <summary>The receiver starts waiting for the next message.</summary>
    public void ReceiveStarted() => Volatile.Write(ref _waitingSince, _time.GetTimestamp());

    /// <summary>A message (a keepalive too) arrived; if the receiver goes on waiting, the silence restarts from now.</summary>
    public void Received()
    {
        var now = _time.GetTimestamp();
        if (Volatile.Read(ref _waitingSince) != None)
        {
            Volatile.Write(ref _waitingSince, now);
        }
    }

    /// <summary>The receiver stopped waiting (it got its message, or gave up).</summary>
    public void ReceiveEnded() => Volatile.Write(ref _waitingSince, None);

    /// <summary>A send starts.</summary>
    public void SendStarted() => Volatile.Write(ref _sendingSince, _time.GetTimestamp());

    /// <summary>A send completed (or failed).</summary>
    public void SendEnded()
    {
        Volatile.Write(ref _sendingSince, None);
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
    }

    /// <summary>Whether nothing was sent for an interval and no send is under way: time for a keepalive.</summary>
    public bool KeepaliveDue =>
        Volatile.Read(ref _sendingSince) == None && _time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= Options.Interval;

    /// <summary>How long the receiver has waited without a message (zero when it is not waiting).</summary>
    public TimeSpan Silence => Since(Volatile.Read(ref _waitingSince));

    /// <summary>How long the send under way has taken (zero when none is).</summary>
    public TimeSpan SendDuration => Since(Volatile.Read(ref _sendingSince));

    /// <summary>The verdict now.</summary>
    public LivenessState State =>
        Silence >= Options.DeadAfter || SendDuration >= Options.SendTimeout ? LivenessState.Dead
        : Silence >= Options.SilentAfter ? LivenessState.Silent
        : LivenessState.Alive;

    /// <summary>Why the session is dead, in words for the log; null while it is not.</summary>
    public string? DeathReason =>
        Silence >= Options.DeadAfter
            ? $"nothing received for {Silence.TotalMilliseconds:F0} ms ({Options.DeadAfterMissed} keepalives of {Options.Interval.TotalMilliseconds:F0} ms missed)"
        : SendDuration >= Options.SendTimeout
            ? $"a send has not completed for {SendDuration.TotalMilliseconds:F0} ms (limit {Options.SendTimeout.TotalMilliseconds:F0} ms)"
        : null;

    private TimeSpan Since(long timestamp) => timestamp == None ? TimeSpan.Zero : _time.GetElapsedTime(timestamp);
}
