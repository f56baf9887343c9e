using System.Net;
using Redundancy.Core.Outputs;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Configuration;

/// <summary>A node's validated configuration. Built only by <see cref="AgentConfig.Parse"/>.</summary>
public sealed record AgentOptions
{
    /// <summary>The pair's id; frames of another pair are dropped.</summary>
    public required uint PairId { get; init; }

    /// <summary>This node's id (1-255).</summary>
    public required byte NodeId { get; init; }

    /// <summary>This node's display name ("A").</summary>
    public required string NodeName { get; init; }

    /// <summary>Priority (1-255, higher preferred at start-up).</summary>
    public required byte Priority { get; init; }

    /// <summary>Path of the pair key file (not world-readable).</summary>
    public required string PairKeyFile { get; init; }

    /// <summary>Where the node keeps its persistent state.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Heartbeat interval.</summary>
    public required TimeSpan HeartbeatInterval { get; init; }

    /// <summary>Silence on all links for this long means the peer is gone.</summary>
    public required TimeSpan PeerTimeout { get; init; }

    /// <summary>How long a starting node listens before it decides.</summary>
    public required TimeSpan StartupWindow { get; init; }

    /// <summary>How long an unfenced takeover (no interlock, the peer silent) waits after announcing itself on every
    /// link before it drives, so that a peer that still hears it releases first (default 2 ms; zero: no wait).</summary>
    public TimeSpan TakeoverHold { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>SCHED_FIFO priority of the heartbeat threads (engine, senders, receivers); 0 leaves them as they are.</summary>
    public int RealtimePriority { get; init; }

    /// <summary>Whether a node hearing no peer may start active alone.</summary>
    public required bool SoloStart { get; init; }

    /// <summary>Serial link, or null when not configured.</summary>
    public required SerialLinkOptions? Serial { get; init; }

    /// <summary>UDP link, or null when not configured.</summary>
    public required UdpLinkOptions? Udp { get; init; }

    /// <summary>GPIO driver selection.</summary>
    public required GpioOptions Gpio { get; init; }

    /// <summary>Field output channels.</summary>
    public required IReadOnlyList<OutputChannel> Outputs { get; init; }

    /// <summary>"I am active" output and optional "peer active" input, or null.</summary>
    public required InterlockOptions? Interlock { get; init; }

    /// <summary>Life signal to an external watchdog relay, or null.</summary>
    public required WatchdogOptions? Watchdog { get; init; }

    /// <summary>Replication of the control state to the peer, or null when not configured.</summary>
    public required ReplicationOptions? Replication { get; init; }

    /// <summary>Bounds on the control-state database: slow commits, recovery, log size.</summary>
    public StorageOptions Storage { get; init; } = StorageOptions.Default;

    /// <summary>Path of the local control socket (the field CLI and local control applications).</summary>
    public required string ControlSocket { get; init; }

    /// <summary>
    /// The group (<c>control.group</c>) whose members may send changing ops (state writes, switchover, maintenance)
    /// besides root and the agent's own user. Who may connect at all is the socket's file mode (its directory's
    /// group in the installed layout): reading ops are open to all of them. Null when not configured. Checked here as a name only: the agent resolves it at start and refuses a name the
    /// machine does not know.
    /// </summary>
    public string? ControlGroup { get; init; }

    /// <summary>Status on MQTT; null: no MQTT at all (the agent runs exactly as without it).</summary>
    public MqttOptions? Mqtt { get; init; }

    /// <summary>The witness (tie breaker); null: none.</summary>
    public WitnessOptions? Witness { get; init; }
    /// <summary>The pair's system IP (the <c>systemIp</c> section), or null when not configured.</summary>
    public SystemIpOptions? SystemIp { get; init; }

    /// <summary>The control-state database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "state.db");

    /// <summary>Whether the "peer active" input is configured.</summary>
    public bool InterlockInputWired => Interlock?.PeerActivePin is not null;
}

/// <summary>The serial crossover link.</summary>
/// <param name="Device">Device path ("/dev/ttyAMA0", or a pty symlink).</param>
/// <param name="Baud">Baud rate.</param>
public sealed record SerialLinkOptions(string Device, int Baud);

/// <summary>The UDP link.</summary>
/// <param name="Bind">Local address and port.</param>
/// <param name="Peer">The peer's address and port.</param>
public sealed record UdpLinkOptions(IPEndPoint Bind, IPEndPoint Peer);


/// <summary>Hardware interlock lines.</summary>
/// <param name="IAmActivePin">Output high while this node is active.</param>
/// <param name="PeerActivePin">Input wired to the peer's "I am active" line, or null.</param>
/// <param name="PeerActiveThroughRelay">The peer's line passes through its watchdog relay, so it drops when the peer hangs.</param>
public sealed record InterlockOptions(int IAmActivePin, int? PeerActivePin, bool PeerActiveThroughRelay);

/// <summary>Life signal for an external retriggerable timer relay feeding the outputs' common.</summary>
/// <param name="LifePin">Output toggled by the engine loop while active.</param>
/// <param name="HoldTime">The relay's hold time: it cuts the outputs this long after the last toggle.</param>
public sealed record WatchdogOptions(int LifePin, TimeSpan HoldTime);

/// <summary>Replication of the control state.</summary>
/// <param name="Bind">Where this node listens for its peer when it is active.</param>
/// <param name="Peer">The peer's replication endpoint, dialled when the peer is active.</param>
/// <param name="Mode">sync, semi-sync or async.</param>
/// <param name="SyncTimeout">How long a sync write waits for the standby (semi-sync then falls back to async).</param>
/// <param name="RetentionEntries">Most log entries kept for a standby that is away; beyond, it gets a snapshot.</param>
public sealed record ReplicationOptions(IPEndPoint Bind, IPEndPoint Peer, ReplicationMode Mode, TimeSpan SyncTimeout, ulong RetentionEntries);

/// <summary>Bounds on the control-state database (config section <c>storage</c>).</summary>
/// <param name="CommitAlarmAfter">A commit (or other database job) running longer than this raises an alarm
/// (<c>storage.commitAlarmMs</c>, default 1000 ms).</param>
/// <param name="CommitFaultAfter">Running longer than this faults the node: an active hands over
/// (<c>storage.commitFaultMs</c>, default 5000 ms; more than the alarm bound).</param>
/// <param name="RetryInterval">How often a node whose database failed tries it again (<c>storage.retryIntervalMs</c>,
/// default 2000 ms).</param>
/// <param name="RetentionBytes">Most bytes of encoded entries the change log keeps behind its last entry, whatever
/// the entry count allows (<c>replication.retentionBytes</c>, default 256 MiB).</param>
public sealed record StorageOptions(TimeSpan CommitAlarmAfter, TimeSpan CommitFaultAfter, TimeSpan RetryInterval, long RetentionBytes)
{
    /// <summary>The defaults: 1 s alarm, 5 s fault, retry every 2 s, 256 MiB of log.</summary>
    public static StorageOptions Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), 256L * 1024 * 1024);
}

/// <summary>Status on MQTT (the <c>mqtt</c> section).</summary>
/// <param name="Host">The broker's host name or address.</param>
/// <param name="Port">The broker's port.</param>
/// <param name="ClientId">This node's client id (default <c>redundancy-&lt;pairId&gt;-&lt;nodeName&gt;</c>).</param>
/// <param name="Username">The user name, or null.</param>
/// <param name="PasswordFile">A file holding the password (read at start, like the pair key), or null.</param>
/// <param name="Prefix">The topic prefix (default <c>redundancy/&lt;pairId&gt;</c>).</param>
/// <param name="StatusInterval">The retained status is published on every change and at least this often.</param>
/// <param name="EventQueue">Events kept for the broker while it is away; the oldest go first, counted.</param>
/// <param name="Sparkplug">Sparkplug B on a second connection; null when off (the default).</param>
/// <param name="HomeAssistantPrefix">Home Assistant's discovery prefix when discovery is on (usually
/// <c>homeassistant</c>); null when off (the default).</param>
/// <param name="Tls">TLS to the broker; null: plain TCP.</param>
/// <param name="Commands">Remote commands on the command topic; null when off (the default).</param>
public sealed record MqttOptions(string Host, int Port, string ClientId, string? Username, string? PasswordFile, string Prefix, TimeSpan StatusInterval, int EventQueue, SparkplugOptions? Sparkplug = null, string? HomeAssistantPrefix = null, MqttTlsOptions? Tls = null, RemoteCommandOptions? Commands = null);

/// <summary>Remote commands over MQTT (the <c>mqtt.commands</c> section, off unless <c>enabled</c>): switchover and
/// maintenance only, signed with the pair key (docs/mqtt.md, "Remote commands").</summary>
/// <param name="MaxSkew">How far a command's timestamp may be from this node's clock, either way (default 30 s).</param>
public sealed record RemoteCommandOptions(TimeSpan MaxSkew);

/// <summary>TLS to the broker (the <c>mqtt.tls</c> section); the files are PEM, read once at start.</summary>
/// <param name="CaFile">The CA that signs the broker's certificate; null: the system's trust store.</param>
/// <param name="CertFile">This node's client certificate, or null.</param>
/// <param name="KeyFile">Its private key (with <paramref name="CertFile"/>), or null.</param>
public sealed record MqttTlsOptions(string? CaFile, string? CertFile, string? KeyFile);

/// <summary>Sparkplug B 3.0 (the <c>mqtt.sparkplug</c> section): this node as an edge node.</summary>
/// <param name="Group">The Sparkplug group id (default <c>Redundancy</c>).</param>
/// <param name="EdgeNode">This node's edge node id (default <c>pair&lt;pairId&gt;-&lt;nodeName&gt;</c>).</param>
/// <param name="PrimaryHost">The primary host application's id: NBIRTH waits for its STATE online; null: none.</param>
public sealed record SparkplugOptions(string Group, string EdgeNode, string? PrimaryHost);

/// <summary>The witness (the <c>witness</c> section, docs/witness.md): a takeover on silence needs its lease.</summary>
/// <param name="Address">Where <c>redundancy-witness</c> listens.</param>
/// <param name="Lease">Its lease for this pair (the same <c>leaseMs</c> as in the witness's own configuration).</param>
/// <param name="ReleaseWhenIsolated">Whether an active cut off from both the peer and the witness past its lease
/// releases (<c>"onIsolation": "release"</c>) or keeps driving (<c>"keep"</c>, the default).</param>
public sealed record WitnessOptions(System.Net.IPEndPoint Address, TimeSpan Lease, bool ReleaseWhenIsolated)
{
    /// <summary>Whether <see cref="Address"/> is a TCP target (<c>witness.tcpTarget</c>: a reachability check, no lease)
    /// rather than a <c>redundancy-witness</c>. Then <see cref="Lease"/> is how long a connection that succeeded counts
    /// (two <see cref="ConnectTimeout"/>s from when it began).</summary>
    public bool TcpTarget { get; init; }

    /// <summary>With <see cref="TcpTarget"/>: the bound of each connection attempt (<c>witness.connectTimeoutMs</c>,
    /// default 20 ms or a quarter of the peer timeout if less).</summary>
    public TimeSpan ConnectTimeout { get; init; }
}
