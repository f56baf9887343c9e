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
    /// <summary>True when node (priority a, id a) is preferred over node (priority b, id b).</summary>
    public static bool Prefers(byte priorityA, byte idA, byte priorityB, byte idB) =>
        priorityA != priorityB ? priorityA > priorityB : idA < idB;
}
