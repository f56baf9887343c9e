using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Roles;

/// <summary>
/// What is heard besides the peer's fresh frames: frames that do not echo ours, a node with our id, a misconfigured
/// peer's frames. None of it proves the peer alive; some of it holds a takeover back or faults the node.
/// </summary>
public sealed partial class RoleStateMachine
{
    private readonly StreamPresence[] _foreign = new StreamPresence[Enum.GetValues<ForeignFrameKind>().Length];
    private StreamPresence _unverifiedStream;
    private HeartbeatFrame _unverified;
    private long _unverifiedAt;
    private bool _unverifiedHeard;
    private int _foreignLink;
    private uint _foreignPairId;
    private uint _foreignVersion;
    private string? _duplicate;
    private bool _duplicateAlarm;
    private bool _misconfiguredAlarm;
    private bool _unverifiedAlarm;
    private bool _intervalAlarm;
    private uint _intervalJudged;

    /// <summary>
    /// Records an authentic frame of the peer that does not echo a recent frame of ours (the peer does not hear us, or
    /// it is a recording or a frame held back). It never counts as the peer being alive; an Active claim in it still
    /// makes an active that loses the epoch rule step down (the safe direction), and it raises an alarm.
    /// </summary>
    public void OnUnverifiedFrame(int link, in HeartbeatFrame frame, long receivedAt)
    {
        _ = link;
        if (!_unverifiedHeard || frame.Counter > _unverified.Counter || frame.Instance != _unverified.Instance)
        {
            _unverified = frame;
        }

        _unverifiedAt = Math.Max(_unverifiedAt, receivedAt);
        _unverifiedHeard = true;
        _unverifiedStream.Record(receivedAt, 1);
    }

    /// <summary>
    /// Another instance with this node's id answered our heartbeats (its frame echoed one of ours): two nodes use one
    /// id. The next evaluation faults this node; it never drives again until restarted with a corrected id.
    /// </summary>
    public void OnDuplicateNode(in HeartbeatFrame frame)
    {
        _duplicate ??= $"another node uses node id {frame.NodeId} (instance {frame.Instance:x16} answers this node's heartbeats, role {frame.Role}, epoch {frame.Epoch}): give each node of the pair its own nodeId";
    }

    /// <summary>
    /// <paramref name="count"/> frames of <paramref name="kind"/> arrived on link <paramref name="link"/> by
    /// <paramref name="at"/>; <paramref name="detail"/> is what the last of them claimed: its pair id
    /// (<see cref="ForeignFrameKind.OtherPair"/>) or its version (<see cref="ForeignFrameKind.OtherVersion"/>).
    /// </summary>
    public void OnForeignFrames(int link, ForeignFrameKind kind, long count, long at, uint detail)
    {
        if (count <= 0)
        {
            return;
        }

        _foreign[(int)kind].Record(at, count);
        _foreignLink = link;
        if (kind == ForeignFrameKind.OtherPair)
        {
            _foreignPairId = detail;
        }
        else if (kind == ForeignFrameKind.OtherVersion)
        {
            _foreignVersion = detail;
        }
    }

    /// <summary>Whether a misconfigured peer's frames arrive steadily now.</summary>
    private bool MisconfiguredPeerPresent(long now)
    {
        foreach (var kind in _foreign)
        {
            if (kind.Steady(now, _time, _options.PeerTimeout))
            {
                return true;
            }
        }

        return false;
    }

    // A claim older than what the peer has said since in verified frames (same run, lower counter) is stale: the old
    // active's last frames before a handover, arriving late on the slower link after its Standby frames.
    private bool UnverifiedActiveClaim(long now) =>
        _unverifiedHeard && _unverified.Role == Role.Active && _time.GetElapsedTime(_unverifiedAt, now) <= _options.PeerTimeout
        && !(_peerHeard && _unverified.Instance == _peer.Instance && _unverified.Counter < _peer.Counter);

    /// <summary>Raises (or clears) the alarm that says what a misconfigured peer sends; true while its frames arrive.
    /// Evaluated once per evaluation: Starting and Standby hold a takeover on silence and a solo start on it.</summary>
    private bool UpdateMisconfiguredPeerAlarm(long now)
    {
        if (!MisconfiguredPeerPresent(now))
        {
            Clear(ref _misconfiguredAlarm, AlarmKind.MisconfiguredPeer, "peer", "no more frames of a misconfigured peer");
            return false;
        }

        if (!_misconfiguredAlarm)
        {
            var link = _links[_foreignLink].Name;
            var text = _foreign[(int)ForeignFrameKind.OtherVersion].Steady(now, _time, _options.PeerTimeout)
                ? $"frames on {link} speak heartbeat version {_foreignVersion}, this node speaks {HeartbeatCodec.Version}: run the same release on both nodes. Not taking over or starting alone while they arrive"
                : _foreign[(int)ForeignFrameKind.OtherPair].Steady(now, _time, _options.PeerTimeout)
                ? $"frames on {link} carry pair id {_foreignPairId}, this node's is {_options.PairId}: pair id mismatch? Not taking over or starting alone while they arrive"
                : $"frames on {link} fail authentication: pair key mismatch? Not taking over or starting alone while they arrive";
            Raise(ref _misconfiguredAlarm, AlarmKind.MisconfiguredPeer, "peer", text);
        }

        return true;
    }

    private void EvaluateEvidenceAlarms(long now, bool fresh)
    {
        var echoedRecently = _echoedAt != 0 && _time.GetElapsedTime(_echoedAt, now) <= _options.PeerTimeout;
        if (_unverifiedStream.Steady(now, _time, _options.PeerTimeout) && !echoedRecently)
        {
            Raise(ref _unverifiedAlarm, AlarmKind.PeerUnverified, "peer",
                "the peer's frames arrive but do not echo this node's: it does not hear this node, or they are a recording (which proves nothing)");
        }
        else if (echoedRecently || !_unverifiedStream.Steady(now, _time, _options.PeerTimeout))
        {
            Clear(ref _unverifiedAlarm, AlarmKind.PeerUnverified, "peer", echoedRecently ? "the peer echoes this node's frames again" : "no more unverified frames");
        }

        if (!fresh || _peer.SendIntervalMicros == _intervalJudged)
        {
            return;
        }

        _intervalJudged = _peer.SendIntervalMicros;
        var peerInterval = TimeSpan.FromMicroseconds(_peer.SendIntervalMicros);
        if (peerInterval * RoleOptions.IntervalsPerTimeout > _options.PeerTimeout)
        {
            _intervalAlarm = false; // the values changed: say the new ones
            Raise(ref _intervalAlarm, AlarmKind.IntervalMismatch, "peer",
                $"peer node {_peer.NodeId} sends a heartbeat every {peerInterval.TotalMilliseconds:F0} ms but this node's peer timeout is {_options.PeerTimeout.TotalMilliseconds:F0} ms (needs at least {RoleOptions.IntervalsPerTimeout} of its intervals): configure heartbeat intervalMs and peerTimeoutMs alike on both nodes");
        }
        else
        {
            Clear(ref _intervalAlarm, AlarmKind.IntervalMismatch, "peer", $"peer node {_peer.NodeId}'s heartbeat interval fits this node's peer timeout");
        }
    }

    /// <summary>A steady stream of some kind of frame: at least <see cref="Needed"/> of them, the newest within one
    /// window and the oldest of those within three, so that one stray frame holds nothing back.</summary>
    private struct StreamPresence
    {
        private const int Needed = 3;
        private long _t0;
        private long _t1;
        private long _t2;
        private long _count;

        public void Record(long at, long count)
        {
            for (var i = 0; i < Math.Min(count, Needed); i++)
            {
                (_t2, _t1, _t0) = (_t1, _t0, at);
            }

            _count += count;
        }

        public readonly bool Steady(long now, TimeProvider time, TimeSpan window) =>
            _count >= Needed && time.GetElapsedTime(_t0, now) <= window && time.GetElapsedTime(_t2, now) <= window * 3;
    }
}
