namespace Redundancy.Protocol.Status;

/// <summary>
/// One node's status as it sees itself and its peer: what the control socket's <c>status</c> op returns, what MQTT
/// publishes and what the CLI shows. Immutable; enum values are their names ("Active", "Hot").
/// </summary>
public sealed record NodeStatus
{
    /// <summary>Version of this shape; raised when a field changes meaning or goes away (adding one does not).</summary>
    public int Schema { get; init; } = 1;

    /// <summary>The node's name (<c>nodeName</c>).</summary>
    public required string Node { get; init; }

    /// <summary>The node's id in the pair (1-255).</summary>
    public required int NodeId { get; init; }

    /// <summary>The pair's id.</summary>
    public required uint PairId { get; init; }

    /// <summary>The agent's version.</summary>
    public required string Version { get; init; }

    /// <summary>When the agent started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Seconds since the agent started.</summary>
    public required double UptimeSeconds { get; init; }

    /// <summary>Role: Starting, Standby, Active, Maintenance, Faulted, Stopping.</summary>
    public required string Role { get; init; }

    /// <summary>The epoch (generation) this node is in.</summary>
    public required ulong Epoch { get; init; }

    /// <summary>Readiness: NotReady, Warm, Hot.</summary>
    public required string Readiness { get; init; }

    /// <summary>OPC UA style service level, 0-255 (see docs/status.md).</summary>
    public required int ServiceLevel { get; init; }

    /// <summary>primary-with-backup, primary-only, backup-ready, backup-not-ready, or not-serving.</summary>
    public required string Mode { get; init; }

    /// <summary>Whether the pair is in maintenance as this node knows it: no automatic takeover (service level 0).</summary>
    public bool Maintenance { get; init; }

    /// <summary>The newest change in this node's log.</summary>
    public required ulong LastSequence { get; init; }

    /// <summary>Commits of the local log since start.</summary>
    public required long StorageCommits { get; init; }

    /// <summary>Entries committed to the local log since start.</summary>
    public required long StorageEntries { get; init; }

    /// <summary>Role changes since start.</summary>
    public required int RoleChanges { get; init; }

    /// <summary>Sequence number of the newest event (see the <c>events</c> op); 0 before the first.</summary>
    public required long LastEventSequence { get; init; }

    /// <summary>The peer as heard on the links; null while it is not heard.</summary>
    public PeerStatus? Peer { get; init; }

    /// <summary>Each heartbeat link.</summary>
    public required IReadOnlyList<LinkStatus> Links { get; init; }

    /// <summary>Replication; null when the node replicates nothing.</summary>
    public ReplicationStatus? Replication { get; init; }

    /// <summary>Each field output with its value and whether this node drives it.</summary>
    public required IReadOnlyList<OutputStatus> Outputs { get; init; }

    /// <summary>Alarms raised and not cleared, oldest first.</summary>
    public required IReadOnlyList<AlarmStatus> Alarms { get; init; }

    /// <summary>The newest takeover by this node; null if it never took over since start.</summary>
    public TakeoverStatus? LastTakeover { get; init; }

    /// <summary>The MQTT connection; null when MQTT is not configured.</summary>
    public MqttStatus? Mqtt { get; init; }

    /// <summary>The witness as this node knows it; null when none is configured (docs/witness.md).</summary>
    public WitnessStatus? Witness { get; init; }
}

/// <summary>The witness (tie breaker) as this node knows it.</summary>
/// <param name="Mode"><c>lease</c> (a <c>redundancy-witness</c> at <c>witness.address</c>) or <c>tcp-target</c> (a TCP
/// reachability check of <c>witness.tcpTarget</c>, no lease).</param>
/// <param name="Address">The configured witness or target, host:port.</param>
/// <param name="Asking">Whether this node asks now: always on the active; on a standby only once its peer is silent
/// (a standby that hears its peer never asks, so that it never takes the lease from a live active).</param>
/// <param name="Reachable">While asking: whether an authentic answer (a connection, for a target) came within the last
/// two leases (for a target: four connect timeouts), as the <c>WitnessUnreachable</c> alarm counts. Null while this
/// node does not ask: it cannot know.</param>
/// <param name="Holder">The node the witness named as the lease's holder in its last answer; null for none, not known,
/// or a target (which has no lease).</param>
/// <param name="LeaseRemainingMs">How long this node still holds the lease, in milliseconds (0: it does not); null for
/// a target.</param>
/// <param name="LastAnswerAgeMs">Milliseconds since the last authentic answer (for a target: since the last connection
/// that succeeded began); null when none came since start.</param>
public sealed record WitnessStatus(string Mode, string Address, bool Asking, bool? Reachable, int? Holder, double? LeaseRemainingMs, double? LastAnswerAgeMs);

/// <summary>The peer as this node hears it.</summary>
/// <param name="NodeId">Its node id.</param>
/// <param name="Role">Its announced role.</param>
/// <param name="Readiness">Its announced readiness.</param>
/// <param name="LastApplied">The newest change it announced as applied.</param>
/// <param name="Epoch">Its announced epoch.</param>
/// <param name="ServiceLevel">Its announced OPC UA service level (0-255).</param>
/// <param name="Mode">Its announced redundancy mode (primary-with-backup, primary-only, backup-ready, backup-not-ready).</param>
public sealed record PeerStatus(int NodeId, string Role, string Readiness, ulong LastApplied, ulong Epoch = 0, int ServiceLevel = 0, string? Mode = null);

/// <summary>One heartbeat link.</summary>
/// <param name="Name">serial or udp.</param>
/// <param name="Up">Whether the peer's frames arrive on it (debounced).</param>
/// <param name="FramesPerSecond">The peer's frames per second accepted on it, recently.</param>
/// <param name="FramesIn">Frames accepted since start.</param>
/// <param name="FramesOut">Frames sent since start.</param>
/// <param name="RoundTripMs">The newest round trip measured from the peer's echo; null when none.</param>
/// <param name="Floods">Times the receiver saw a flood and relaxed its priority.</param>
/// <param name="Dropped">Frames dropped since start, by reason (every reason, 0 included).</param>
public sealed record LinkStatus(
    string Name, bool Up, double FramesPerSecond, long FramesIn, long FramesOut, double? RoundTripMs, long Floods,
    IReadOnlyDictionary<string, long> Dropped);

/// <summary>Replication as this node sees it.</summary>
/// <param name="Mode">sync, semi-sync or async.</param>
/// <param name="StandbyConnected">On the active: whether a standby's session is up. On a standby: whether it follows an active.</param>
/// <param name="LagEntries">Entries the standby has not acknowledged (active) or not applied (standby).</param>
/// <param name="LagMs">Age of the oldest entry not acknowledged, in milliseconds.</param>
/// <param name="FallenBackToAsync">Semi-sync only: writes no longer wait for the standby.</param>
/// <param name="Refused">Replication sessions refused since start.</param>
public sealed record ReplicationStatus(string Mode, bool StandbyConnected, long LagEntries, double LagMs, bool FallenBackToAsync, long Refused);

/// <summary>One field output.</summary>
/// <param name="Name">Channel name.</param>
/// <param name="Value">The logical value in the control state.</param>
/// <param name="Driven">Whether this node drives the pin now (only the active does).</param>
public sealed record OutputStatus(string Name, bool Value, bool Driven);

/// <summary>An alarm raised and not cleared.</summary>
/// <param name="Kind">What kind (LinkDown, PeerLost ...).</param>
/// <param name="Subject">What it is about (a link's name, "peer", "storage").</param>
/// <param name="Text">Plain words.</param>
/// <param name="Since">When it was raised (UTC).</param>
/// <param name="EventSequence">The event that raised it.</param>
public sealed record AlarmStatus(string Kind, string Subject, string Text, DateTimeOffset Since, long EventSequence);

/// <summary>A takeover with its measured times.</summary>
/// <param name="Epoch">The epoch it started.</param>
/// <param name="Reason">Why.</param>
/// <param name="At">When (UTC).</param>
/// <param name="DetectionMs">From the peer's last frame (or its announcement) to the decision.</param>
/// <param name="TakeoverMs">From the decision to the outputs driven.</param>
public sealed record TakeoverStatus(ulong Epoch, string Reason, DateTimeOffset At, double DetectionMs, double TakeoverMs);

/// <summary>The node's MQTT connection (status on MQTT), when configured.</summary>
/// <param name="Broker">host:port.</param>
/// <param name="Connected">Whether it is connected now.</param>
/// <param name="Published">Messages the broker acknowledged since start.</param>
/// <param name="DroppedEvents">Events not published because the broker was away past the queue bound.</param>
/// <param name="Connects">Successful connections since start.</param>
/// <param name="LastError">Why the last connection failed or ended, or null.</param>
/// <param name="Commands">Remote commands, when they are on (<c>mqtt.commands.enabled</c>), else null.</param>
public sealed record MqttStatus(string Broker, bool Connected, long Published, long DroppedEvents, long Connects, string? LastError, RemoteCommandStatus? Commands = null);

/// <summary>Remote commands over MQTT since start.</summary>
/// <param name="Topic">The command topic this node listens on.</param>
/// <param name="Accepted">Commands that passed the checks and ran (whether or not the pair's rules then refused them).</param>
/// <param name="Refused">Messages refused before running: not authentic, malformed, stale, replayed, or too many.</param>
/// <param name="RefusedBy">The refusals by reason (TooLarge, Malformed, BadMac, BadRequest, Stale, BeforeStart,
/// Replayed, Busy); reasons with none are left out.</param>
/// <param name="LastRefusal">The newest refusal, with what was wrong, or null.</param>
public sealed record RemoteCommandStatus(string Topic, long Accepted, long Refused, Dictionary<string, long> RefusedBy, string? LastRefusal);
