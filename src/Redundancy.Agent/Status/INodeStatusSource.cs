using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Status;

/// <summary>
/// Where the control socket (and MQTT) gets the node's status and diagnostics: each call builds a new immutable
/// value from the engine's published view and the live counters, on the caller's thread; it never waits on the
/// engine. Thread-safe.
/// </summary>
internal interface INodeStatusSource
{
    /// <summary>The node's status now.</summary>
    NodeStatus Status();

    /// <summary>The runtime's figures now (garbage collection, real-time threads, allocation).</summary>
    NodeDiagnostics Diagnostics();
}

/// <summary>A part of the node that adds its section to the status (replication today; a witness, the system IP next).</summary>
internal interface IReplicationStatusSource
{
    /// <summary>Replication's section of the status.</summary>
    ReplicationStatus Status();
}
