namespace Redundancy.Core.Roles;

/// <summary>A node's redundancy mode as OPC UA Part 4 names it for a redundant pair. Carried on the wire: never
/// renumber.</summary>
public enum RedundancyMode : byte
{
    /// <summary>Active, with a standby that is hot.</summary>
    PrimaryWithBackup = 1,

    /// <summary>Active, with no standby ready to take over.</summary>
    PrimaryOnly = 2,

    /// <summary>Standby, hot: it can take over with every change.</summary>
    BackupReady = 3,

    /// <summary>Standby (or starting, faulted, stopping) that cannot take over with every change now.</summary>
    BackupNotReady = 4,
}

/// <summary>The words of <see cref="RedundancyMode"/> in status, JSON and MQTT.</summary>
public static class RedundancyModeNames
{
    /// <summary>primary-with-backup, primary-only, backup-ready or backup-not-ready.</summary>
    public static string Name(this RedundancyMode mode) => mode switch
    {
        RedundancyMode.PrimaryWithBackup => "primary-with-backup",
        RedundancyMode.PrimaryOnly => "primary-only",
        RedundancyMode.BackupReady => "backup-ready",
        _ => "backup-not-ready",
    };
}
