namespace Redundancy.Core.Roles;

/// <summary>The role of one node of the pair. Values are carried on the wire: never renumber.</summary>
public enum Role : byte
{
    /// <summary>Listening for the start-up window; drives nothing.</summary>
    Starting = 1,

    /// <summary>Ready to take over; drives nothing.</summary>
    Standby = 2,

    /// <summary>Drives the outputs.</summary>
    Active = 3,

    /// <summary>Automatic takeover inhibited by an operator (arrives with the field CLI).</summary>
    Maintenance = 4,

    /// <summary>This node cannot serve (outputs, storage or config broken); it never takes over.</summary>
    Faulted = 5,

    /// <summary>Shutting down; outputs already released.</summary>
    Stopping = 6,
}
