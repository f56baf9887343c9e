namespace Redundancy.Core.Roles;

/// <summary>What the hardware "peer active" input says at the moment of a decision.</summary>
public enum InterlockInput
{
    /// <summary>No interlock input is configured.</summary>
    NotWired,

    /// <summary>The peer's "I am active" line is low: it is not driving.</summary>
    PeerNotDriving,

    /// <summary>The peer's "I am active" line is high: it may still be driving.</summary>
    PeerDriving,
}
