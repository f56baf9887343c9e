using Redundancy.Agent.Diagnostics;
using Redundancy.Core.Configuration;
using Redundancy.Core.Heartbeat;
using Redundancy.Edges.Links;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Sends this node's heartbeat on one link every interval, on its own thread, so a blocked serial line can
/// never delay the UDP heartbeats. Heartbeats are promises: nothing is sent while the engine loop has made no
/// progress for half the peer timeout, so a partly hung agent falls silent instead of claiming its role.
/// Allocates nothing per frame.
/// </summary>
internal sealed class HeartbeatSender : IDisposable
{
    private readonly IHeartbeatLink _link;
    private readonly HeartbeatCodec _codec;
    private readonly AgentOptions _options;
    private readonly Func<Announcement> _announcement;
    private readonly Func<long> _lastProgress;
    private readonly Func<ulong> _lastApplied;
    private readonly TimeProvider _time;
    private readonly SentFrames _sent;
    private readonly PeerEvidence _echo;
    private readonly byte[] _buffer = new byte[HeartbeatCodec.FrameLength];
    private readonly WaitHandle[] _waits;
    private long _maxLateTicks;
    private long _lastSentAt;
    private long _due;
    private readonly long _intervalTicks;

    public HeartbeatSender(
        IHeartbeatLink link,
        byte[] key,
        AgentOptions options,
        SentFrames sent,
        PeerEvidence echo,
        Func<Announcement> announcement,
        Func<long> lastProgress,
        Func<ulong> lastApplied,
        TimeProvider time,
        CancellationToken stopping)
    {
        _link = link;
        _codec = new HeartbeatCodec(key);
        _options = options;
        _sent = sent;
        _echo = echo;
        _announcement = announcement;
        _lastProgress = lastProgress;
        _lastApplied = lastApplied;
        _time = time;
        _waits = [Kick, stopping.WaitHandle];
        _intervalTicks = (long)(options.HeartbeatInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Set to send at once (role change).</summary>
    public AutoResetEvent Kick { get; } = new(false);

    /// <summary>The latest the sender woke after a frame was due, since start.</summary>
    public TimeSpan MaxLate => TimeSpan.FromSeconds((double)Interlocked.Read(ref _maxLateTicks) / _time.TimestampFrequency);

    /// <summary>When this sender last sent (attempted) a frame, or 0.</summary>
    public long LastSentAt => Interlocked.Read(ref _lastSentAt);

    public void Run(CancellationToken stopping)
    {
        _due = _time.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            var now = _time.GetTimestamp();
            if (now < _due)
            {
                var waitMs = (int)Math.Ceiling((_due - now) * 1000.0 / _time.TimestampFrequency);
                var woke = WaitHandle.WaitAny(_waits, waitMs);
                if (woke == 1)
                {
                    return;
                }

                now = _time.GetTimestamp();
                if (woke == WaitHandle.WaitTimeout && now < _due)
                {
                    continue;
                }
            }

            SendNow(now);
        }
    }

    /// <summary>
    /// One heartbeat, due or kicked, at <paramref name="now"/>: the thread's loop calls it, and so do the in-process
    /// engine tests, which run no threads.
    /// </summary>
    public void SendNow(long now)
    {
        var interval = _intervalTicks;
        if (now >= _due)
        {
            if (now - _due > Interlocked.Read(ref _maxLateTicks))
            {
                Interlocked.Exchange(ref _maxLateTicks, now - _due);
            }

            _due = Math.Max(_due + interval, now + (interval / 2)); // keep the cadence
        }
        else
        {
            // Kicked before it was due (a role change, maintenance, a handover): the next one an interval after this
            // one. Pushing the due time on by an interval per kick let a burst of kicks (30 maintenance toggles in
            // 100 ms) silence the regular frames for 30 intervals, and the node's own lease took it down.
            _due = now + interval;
        }
        if (_time.GetElapsedTime(_lastProgress(), now) > _options.PeerTimeout / 2)
        {
            return; // a promise: no progress of the engine loop for half the peer timeout, no claim
        }

        var a = _announcement();
        var (echoInstance, echoCounter) = _echo.Echo(now);
        var frame = new HeartbeatFrame(
            _options.PairId,
            _options.NodeId,
            a.Role,
            _options.Priority,
            a.Readiness,
            a.Health,
            a.Epoch,
            _lastApplied(),
            (uint)(_options.HeartbeatInterval.Ticks / TimeSpan.TicksPerMicrosecond),
            _sent.Instance,
            _sent.Next(now),
            echoInstance,
            echoCounter,
            a.Level.Level,
            a.Level.Mode,
            a.MaintenanceVersion,
            a.HandoverUid);
        var n = _codec.Encode(frame, _buffer);
        _link.Send(_buffer.AsSpan(0, n));
        Interlocked.Exchange(ref _lastSentAt, now);
        AllocationProbe.Sample();
    }

    /// <summary>When the next heartbeat is due (a timestamp).</summary>
    public long Due => _due;

    public void Dispose()
    {
        Kick.Dispose();
        _codec.Dispose();
    }
}
