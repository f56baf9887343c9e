namespace Redundancy.Core.Roles;

/// <summary>
/// The node's service level (0-255) and redundancy mode as OPC UA servers report them (Part 4, 6.6.2.4.2: 0
/// maintenance, 1 no data, 2-199 degraded, 200-255 healthy), so that a SCADA client picks the node to use by one
/// number: the higher serves.
/// </summary>
/// <remarks>
/// How each is computed (also in docs/cli.md):
/// <list type="bullet">
/// <item>0, maintenance: the pair is in maintenance (either node turned it on), whatever the role.</item>
/// <item>1, no data: starting, faulted, stopping, or a standby with no usable replica (not-ready).</item>
/// <item>Active: 255 with a hot standby heard (primary-with-backup), 230 without one (primary-only).</item>
/// <item>Standby: 200 hot (backup-ready), 150 warm, catching up (backup-not-ready).</item>
/// <item>Minus 10 for each heartbeat link down (the pair's redundancy is degraded), never below 2 for a node that has
/// data: so an active with a hot standby and one link down is 245, a hot standby with one link down 190 (degraded).
/// The active is always above the standby (at least 210 against at most 200): a client that picks the highest picks
/// the active.</item>
/// </list>
/// </remarks>
/// <param name="Level">0-255, as above.</param>
/// <param name="Mode">The OPC UA redundancy mode.</param>
public readonly record struct ServiceLevel(byte Level, RedundancyMode Mode)
{
    /// <summary>Level of an active node with a hot standby.</summary>
    public const byte ActiveWithBackup = 255;

    /// <summary>Level of an active node without a ready standby.</summary>
    public const byte ActiveAlone = 230;

    /// <summary>Level of a hot standby.</summary>
    public const byte StandbyHot = 200;

    /// <summary>Level of a warm standby (catching up).</summary>
    public const byte StandbyWarm = 150;

    /// <summary>Taken off for each heartbeat link down.</summary>
    public const byte PerLinkDown = 10;

    /// <summary>OPC UA: the server is under maintenance.</summary>
    public const byte Maintenance = 0;

    /// <summary>OPC UA: the server has no data to serve.</summary>
    public const byte NoData = 1;

    /// <summary>The mode's words (primary-with-backup, ...).</summary>
    public string ModeName => Mode.Name();

    /// <summary>The service level of a node in <paramref name="role"/> with <paramref name="readiness"/>, whose peer is
    /// heard in <paramref name="peerRole"/> with <paramref name="peerReadiness"/> (null when not heard), with the pair
    /// in maintenance or not, and <paramref name="linksDown"/> heartbeat links down.</summary>
    public static ServiceLevel Of(Role role, Readiness readiness, Role? peerRole, Readiness peerReadiness, bool maintenance = false, int linksDown = 0)
    {
        var backupHot = peerRole is Role.Standby && peerReadiness == Readiness.Hot;
        if (maintenance || role == Role.Maintenance)
        {
            return new(Maintenance, role == Role.Active ? RedundancyMode.PrimaryOnly : RedundancyMode.BackupNotReady);
        }

        return role switch
        {
            Role.Active when backupHot => new(Degrade(ActiveWithBackup, linksDown), RedundancyMode.PrimaryWithBackup),
            Role.Active => new(Degrade(ActiveAlone, linksDown), RedundancyMode.PrimaryOnly),
            Role.Standby when readiness == Readiness.Hot => new(Degrade(StandbyHot, linksDown), RedundancyMode.BackupReady),
            Role.Standby when readiness == Readiness.Warm => new(Degrade(StandbyWarm, linksDown), RedundancyMode.BackupNotReady),
            _ => new(NoData, RedundancyMode.BackupNotReady),
        };
    }

    private static byte Degrade(byte level, int linksDown) => (byte)Math.Max(2, level - (PerLinkDown * Math.Max(0, linksDown)));
}
