namespace Redundancy.Core.State;

/// <summary>What <see cref="CommitWatchdog.Check"/> found.</summary>
public enum CommitVerdict
{
    /// <summary>Nothing changed.</summary>
    None,

    /// <summary>A commit is slower than the alarm bound.</summary>
    AlarmRaised,

    /// <summary>No commit is slow any more.</summary>
    AlarmCleared,

    /// <summary>A commit is slower than the fault bound: the node must fault.</summary>
    Fault,
}
