namespace Redundancy.Core.Replication;

/// <summary>Which way a replication frame travels; its byte value is part of every frame's tag, so a frame
/// cannot be reflected back to its sender.</summary>
public enum ReplicationDirection : byte
{
    /// <summary>From the active (TCP server) to the standby (TCP client).</summary>
    ServerToClient = 1,

    /// <summary>From the standby (TCP client) to the active (TCP server).</summary>
    ClientToServer = 2,
}
