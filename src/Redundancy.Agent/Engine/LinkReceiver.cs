using Redundancy.Agent.Diagnostics;
using Redundancy.Core.Heartbeat;
using Redundancy.Edges.Links;
using Redundancy.Edges.Scheduling;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Runs on a link's receiving thread: authenticates each payload, drops replays, judges freshness (does the frame
/// echo a recent frame of ours?), counts drops per reason, records what to echo, and posts authentic frames to the
/// engine with what they prove. Owns its codec (not thread-safe) and replay filter. Drops to normal priority while
/// flooded, so that junk at line rate on the heartbeat port cannot take a core at real-time priority.
/// </summary>
internal sealed class LinkReceiver : IFrameSink, IDisposable
{
    /// <summary>Datagrams per <see cref="FloodWindow"/> above which the receiver counts as flooded.</summary>
    private const int FloodBudget = 64;

    private static readonly TimeSpan FloodWindow = TimeSpan.FromMilliseconds(10);

    private readonly int _index;
    private readonly IHeartbeatLink _link;
    private readonly HeartbeatCodec _codec;
    private readonly ReplayFilter _replay = new();
    private readonly EngineInbox _inbox;
    private readonly TimeProvider _time;
    private readonly SentFrames _sent;
    private readonly PeerEvidence _evidence;
    private readonly FloodGuard _flood;
    private readonly long _freshWindow;
    private readonly uint _pairId;
    private readonly byte _nodeId;
    private RealtimeThread.NormalPriority? _relaxed;
    private bool _recovering;
    private uint _lastOtherPairId;
    private uint _lastOtherVersion;
    private long _floods;
    private long _roundTripTicks = -1;

    public LinkReceiver(int index, IHeartbeatLink link, byte[] key, uint pairId, byte nodeId, EngineInbox inbox, SentFrames sent, PeerEvidence evidence, TimeSpan peerTimeout, TimeProvider time)
    {
        _index = index;
        _link = link;
        _codec = new HeartbeatCodec(key);
        _inbox = inbox;
        _time = time;
        _sent = sent;
        _evidence = evidence;
        _pairId = pairId;
        _nodeId = nodeId;

        // A frame echoing one of ours sent up to two peer timeouts ago is fresh: the round trip includes the peer's
        // interval and, on a loaded box, late senders on both sides; a longer one still counts as Known (PeerEvidence).
        _freshWindow = (long)(peerTimeout.TotalSeconds * 2 * time.TimestampFrequency);
        _flood = new FloodGuard((long)(FloodWindow.TotalSeconds * time.TimestampFrequency), FloodBudget);
    }

    /// <summary>The pair id the last frame of another pair claimed (for the misconfigured-peer alarm).</summary>
    public uint LastOtherPairId => Volatile.Read(ref _lastOtherPairId);

    /// <summary>The version byte of the last frame of a version this node does not speak.</summary>
    public uint LastOtherVersion => Volatile.Read(ref _lastOtherVersion);

    /// <summary>Times this receiver found itself flooded.</summary>
    public long Floods => Volatile.Read(ref _floods);

    /// <summary>From our frame the newest peer frame echoed to that frame's arrival (-1: none yet), in ticks.</summary>
    public long RoundTripTicks => Volatile.Read(ref _roundTripTicks);

    public void OnFrame(ReadOnlySpan<byte> payload)
    {
        var receivedAt = _time.GetTimestamp();
        Guard(receivedAt);
        var reason = _codec.TryDecode(payload, _pairId, out var frame);
        if (reason == DropReason.OtherPair && HeartbeatCodec.PeekPairId(payload) is { } other)
        {
            Volatile.Write(ref _lastOtherPairId, other);
        }
        else if (reason == DropReason.UnknownVersion)
        {
            Volatile.Write(ref _lastOtherVersion, payload[0]);
        }

        if (reason == DropReason.None && frame.NodeId == _nodeId && frame.Instance == _sent.Instance)
        {
            reason = DropReason.FromSelf; // our own frame, looped back
        }

        if (reason == DropReason.None)
        {
            reason = _replay.Check(frame.Instance, frame.Counter);
        }

        if (reason != DropReason.None)
        {
            _link.Counters.CountReceived(reason);
            AllocationProbe.Sample();
            return;
        }

        var echoed = _sent.IsFresh(frame, receivedAt, _freshWindow, out var roundTrip);
        if (roundTrip >= 0)
        {
            Volatile.Write(ref _roundTripTicks, roundTrip);
        }

        var evidence = _evidence.Judge(frame.Instance, frame.Counter, receivedAt, echoed);
        if (frame.NodeId == _nodeId)
        {
            // Another instance with our id. Only one that answers us proves a second node; a recording of one of our
            // own earlier runs cannot, and is merely counted.
            _link.Counters.CountReceived(DropReason.FromSelf);
            if (echoed)
            {
                _inbox.Post(new InboundFrame(_index, frame, receivedAt, FrameEvidence.Duplicate));
            }
        }
        else if (evidence != Evidence.Unverified)
        {
            _link.Counters.CountReceived(DropReason.None);
            _inbox.Post(evidence == Evidence.Fresh
                ? new InboundFrame(_index, frame, receivedAt, FrameEvidence.Fresh)
                : new InboundFrame(_index, frame, receivedAt, FrameEvidence.Known));
        }
        else
        {
            _link.Counters.CountReceived(DropReason.Stale);
            _inbox.Post(new InboundFrame(_index, frame, receivedAt, FrameEvidence.Unverified));
        }

        AllocationProbe.Sample();
    }

    public void OnFramingError(DropReason reason)
    {
        Guard(_time.GetTimestamp());
        _link.Counters.CountReceived(reason);
    }

    public void OnRecovering(bool recovering)
    {
        _recovering = recovering;
        UpdatePriority();
    }

    public void Dispose() => _codec.Dispose();

    private void Guard(long now)
    {
        var wasFlooded = _flood.Flooded;
        if (_flood.Count(now) != wasFlooded)
        {
            if (!wasFlooded)
            {
                Interlocked.Increment(ref _floods);
            }

            UpdatePriority();
        }
    }

    private void UpdatePriority()
    {
        var relax = _recovering || _flood.Flooded;
        if (relax && !_relaxed.HasValue)
        {
            _relaxed = RealtimeThread.Relax();
        }
        else if (!relax && _relaxed is { } relaxed)
        {
            relaxed.Dispose();
            _relaxed = null;
        }
    }
}
