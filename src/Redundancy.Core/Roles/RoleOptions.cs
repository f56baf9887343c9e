namespace Redundancy.Core.Roles;

/// <summary>What the <see cref="RoleStateMachine"/> needs to know about this node and its timing.</summary>
/// <param name="NodeId">This node's id (1-255); the lower id wins a tie on priority.</param>
/// <param name="Priority">This node's priority (higher is preferred at start-up and between two standbys).</param>
/// <param name="PeerTimeout">Silence on all links for this long means the peer is gone.</param>
/// <param name="StartupWindow">How long a starting node listens before it decides.</param>
/// <param name="SoloStart">Whether a node that hears no peer may start active alone.</param>
/// <param name="InterlockWired">Whether the hardware "peer active" input is wired.</param>
/// <param name="LinkNames">Names of the heartbeat links, by index.</param>
public sealed record RoleOptions(
    byte NodeId,
    byte Priority,
    TimeSpan PeerTimeout,
    TimeSpan StartupWindow,
    bool SoloStart,
    bool InterlockWired,
    IReadOnlyList<string> LinkNames)
{
    /// <summary>
    /// How much earlier than the peer timeout an active's lease runs out, counted from its last heartbeat sent:
    /// room for the next heartbeat to reach the peer before the peer may declare it silent. Default zero.
    /// </summary>
    public TimeSpan LeaseMargin { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long past its due time a takeover or solo start may wait for input the links still hold unread (so that
    /// this node's own stall is never taken for the peer's silence). Bounded, so that a flood of datagrams on the
    /// heartbeat port cannot hold a takeover off: the engine sets half a heartbeat interval. Default zero.
    /// </summary>
    public TimeSpan DrainBound { get; init; } = TimeSpan.Zero;

    /// <summary>Most role changes within <see cref="RoleChangeWindow"/> before takeovers are held (step-downs never are).</summary>
    public int RoleChangeLimit { get; init; } = 6;

    /// <summary>The window of <see cref="RoleChangeLimit"/>.</summary>
    public TimeSpan RoleChangeWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Fewest heartbeat intervals (of the peer) a peer timeout must span.</summary>
    public const int IntervalsPerTimeout = 3;

    /// <summary>The witness's lease when a witness is configured, else null (no witness).</summary>
    public TimeSpan? WitnessLease { get; init; }

    /// <summary>Whether the witness is a TCP target (a reachability check, no lease): a takeover on silence then needs
    /// a connection to it that began after the peer's last frame, and is not fenced by it; <see cref="WitnessLease"/>
    /// is how long a connection counts. Default false.</summary>
    public bool WitnessTcpTarget { get; init; }

    /// <summary>With a witness: whether an active cut off from both the peer and the witness past its lease releases
    /// (true) or keeps driving (false, the default).</summary>
    public bool ReleaseWhenIsolated { get; init; }

    /// <summary>This pair's id, for alarms that name what a misconfigured peer sends instead. Default zero.</summary>
    public uint PairId { get; init; }

    /// <summary>
    /// The epoch a node takes when it takes over, after <paramref name="basis"/> (the highest epoch it knows):
    /// the next multiple of 256 above it, with the node's id in the low 8 bits. So epochs only grow, and two nodes
    /// can never write under the same epoch (two nodes that both take over from the same basis, as in a split
    /// brain, write under different epochs, and their logs' divergence is found).
    /// </summary>
    public static ulong NextEpoch(ulong basis, byte nodeId) => (((basis >> 8) + 1) << 8) | nodeId;

    /// <summary>True when node (priority a, id a) is preferred over node (priority b, id b).</summary>
    public static bool Prefers(byte priorityA, byte idA, byte priorityB, byte idB) =>
        priorityA != priorityB ? priorityA > priorityB : idA < idB;
}
