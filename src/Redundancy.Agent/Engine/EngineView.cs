using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>
/// What the engine publishes about itself and the peer it hears, for everyone who must not wait on it: the heartbeat
/// senders (the announcement, the loop's progress), replication (the active peer, what it applied), the control
/// state (the role), status. Written only by the engine thread, read from any thread without locks: each value is
/// replaced whole or is a single word.
/// </summary>
internal sealed class EngineView
{
    private readonly bool[] _linkUp;
    private readonly double[] _linkRate;
    private Announcement _announcement;
    private long _lastProgress;
    private long _peerLastApplied;
    private long _peerEpoch;
    private int _peerLevel = (int)RedundancyMode.BackupNotReady << 8;
    private volatile PeerSeen? _peer;
    private volatile byte _peerNodeId;
    private volatile byte _activePeer;

    public EngineView(int links, Announcement initial, long startedAt)
    {
        _linkUp = new bool[links];
        _linkRate = new double[links];
        _announcement = initial;
        _lastProgress = startedAt;
    }

    /// <summary>What this node announces now (role, epoch, readiness, health).</summary>
    public Announcement Announcement => Volatile.Read(ref _announcement);

    /// <summary>The announced role.</summary>
    public Role Role => Announcement.Role;

    /// <summary>When the engine loop last made progress (a timestamp): heartbeats are promises.</summary>
    public long LastProgress => Interlocked.Read(ref _lastProgress);

    /// <summary>The peer's announced role and readiness while it is heard; null when not.</summary>
    public PeerSeen? Peer => _peer;

    /// <summary>The node id in the peer's newest frame (0 before the first).</summary>
    public byte PeerNodeId => _peerNodeId;

    /// <summary>The peer's node id while it is heard active, else 0.</summary>
    public byte ActivePeer => _activePeer;

    /// <summary>The last change the peer announced it applied (0 when not heard).</summary>
    public ulong PeerLastApplied => (ulong)Interlocked.Read(ref _peerLastApplied);

    /// <summary>Whether link <paramref name="i"/> carries the peer's frames (debounced), recently.</summary>
    public bool LinkUp(int i) => Volatile.Read(ref _linkUp[i]);

    /// <summary>The peer's frames per second on link <paramref name="i"/>, recently.</summary>
    public double LinkRate(int i) => Volatile.Read(ref _linkRate[i]);

    internal void Publish(Announcement announcement) => Volatile.Write(ref _announcement, announcement);

    internal void Progress(long now) => Interlocked.Exchange(ref _lastProgress, now);

    /// <summary>The epoch in the peer's newest frame (0 when not heard).</summary>
    public ulong PeerEpoch => (ulong)Interlocked.Read(ref _peerEpoch);

    /// <summary>The service level and mode in the peer's newest frame.</summary>
    public ServiceLevel PeerLevel
    {
        get
        {
            var packed = Volatile.Read(ref _peerLevel);
            return new ServiceLevel((byte)packed, (RedundancyMode)(packed >> 8));
        }
    }

    internal void NotePeer(PeerSeen? seen, byte nodeId, byte activePeer, ulong lastApplied, ulong epoch = 0, ServiceLevel level = default)
    {
        Volatile.Write(ref _peerLevel, level.Level | ((int)(level.Mode == 0 ? RedundancyMode.BackupNotReady : level.Mode) << 8));
        Interlocked.Exchange(ref _peerEpoch, (long)epoch);
        _peer = seen;
        _peerNodeId = nodeId;
        _activePeer = activePeer;
        Interlocked.Exchange(ref _peerLastApplied, (long)lastApplied);
    }

    internal void Link(int i, bool up, double rate)
    {
        Volatile.Write(ref _linkUp[i], up);
        Volatile.Write(ref _linkRate[i], rate);
    }
}
