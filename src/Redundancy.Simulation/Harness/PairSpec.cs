namespace Redundancy.Simulation.Harness;

/// <summary>How to set up a pair on this machine.</summary>
public sealed record PairSpec
{
    /// <summary>Heartbeat interval.</summary>
    public int IntervalMs { get; init; } = 20;

    /// <summary>Peer timeout.</summary>
    public int PeerTimeoutMs { get; init; } = 100;

    /// <summary>Start-up window.</summary>
    public int StartupWindowMs { get; init; } = 500;

    /// <summary>Solo start on both nodes.</summary>
    public bool SoloStart { get; init; }

    /// <summary>Use the serial link (socat pty pair).</summary>
    public bool Serial { get; init; } = true;

    /// <summary>Use the UDP link.</summary>
    public bool Udp { get; init; } = true;

    /// <summary>Run each agent in its own network namespace, joined by a veth pair (root only).</summary>
    public bool Netns { get; init; }

    /// <summary>Watchdog relay hold time, or null for no relay.</summary>
    public int? RelayHoldMs { get; init; }

    /// <summary>Wire the "I am active" / "peer active" interlock.</summary>
    public bool Interlock { get; init; }

    /// <summary>Wire the "I am active" line through the watchdog relay.</summary>
    public bool InterlockThroughRelay { get; init; }

    /// <summary>Field output channels.</summary>
    public IReadOnlyList<string> Channels { get; init; } = ["pump1", "valve1"];

    /// <summary>Priority of node A (B gets 90).</summary>
    public int PriorityA { get; init; } = 100;

    /// <summary>Priority of node B.</summary>
    public int PriorityB { get; init; } = 90;

    /// <summary>A command the agents run under, e.g. ["chrt", "-f", "50"] as the unit file's scheduling does.</summary>
    public IReadOnlyList<string> Wrapper { get; init; } = [];

    /// <summary>Replication mode ("sync", "semi-sync", "async"), or null for no replication.</summary>
    public string? ReplicationMode { get; init; } = "semi-sync";

    /// <summary>How long a sync write waits for the standby.</summary>
    public int SyncTimeoutMs { get; init; } = 1000;

    /// <summary>Most log entries kept for an absent standby.</summary>
    public int RetentionEntries { get; init; } = 100_000;

    /// <summary>Follow each agent's events through its control socket (one connection held per agent, see
    /// <see cref="EventFollower"/>). Off for tests where a held control connection changes what they measure (the
    /// connection limit, the descriptors); then <see cref="AgentProcess.Role"/> and the event waits are not available.</summary>
    public bool FollowEvents { get; init; } = true;

    /// <summary>The unfenced takeover's hold (<c>heartbeat.takeoverHoldMs</c>), or null for the agent's default.</summary>
    public int? TakeoverHoldMs { get; init; }

    /// <summary>Real-time priority of the agents' heartbeat threads (0: none), or null for the agent's default.</summary>
    public int? RealtimePriority { get; init; }

    /// <summary>Start a mosquitto broker for the pair and give both agents an <c>mqtt</c> section pointing at it.</summary>
    public bool Mqtt { get; init; }

    /// <summary>With <see cref="Netns"/>: a LAN with a client beside the heartbeat link (<see cref="NetnsPair.AddLan"/>)
    /// and a <c>systemIp</c> section in both configs for the LAN's system IP.</summary>
    public bool SystemIp { get; init; }

    /// <summary>Gratuitous ARPs per announcement (with <see cref="SystemIp"/>).</summary>
    public int ArpCount { get; init; } = 3;

    /// <summary>Between two gratuitous ARPs (with <see cref="SystemIp"/>).</summary>
    public int ArpIntervalMs { get; init; } = 100;

    /// <summary>A <c>redundancy-witness</c> for the pair, and a <c>witness</c> section in both configs pointing at it: with
    /// <see cref="Netns"/> on a witness host on the LAN (<see cref="NetnsPair.AddWitnessHost"/>), else on loopback.</summary>
    public bool Witness { get; init; }

    /// <summary>The witness's lease (with <see cref="Witness"/>), in the witness's and both agents' configs.</summary>
    public int WitnessLeaseMs { get; init; } = 100;

    /// <summary>What an active cut off from both its peer and the witness does (with <see cref="Witness"/>): "keep" or
    /// "release".</summary>
    public string WitnessOnIsolation { get; init; } = "keep";

    /// <summary>With <see cref="Netns"/>: the lighter witness instead of <see cref="Witness"/>, a TCP listener on the
    /// witness host (<see cref="PairHarness.TcpTarget"/>) and <c>witness.tcpTarget</c> in both configs.</summary>
    public bool WitnessTcpTarget { get; init; }

    /// <summary>With <see cref="WitnessTcpTarget"/>: <c>witness.connectTimeoutMs</c>.</summary>
    public int WitnessConnectTimeoutMs { get; init; } = 20;
}
