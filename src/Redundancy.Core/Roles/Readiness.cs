namespace Redundancy.Core.Roles;

/// <summary>How ready a standby's replica is, as OPC UA redundancy reports it. Carried on the wire.</summary>
public enum Readiness : byte
{
    /// <summary>No usable replica.</summary>
    NotReady = 0,

    /// <summary>Connected, catching up.</summary>
    Warm = 1,

    /// <summary>Replica caught up.</summary>
    Hot = 2,
}
