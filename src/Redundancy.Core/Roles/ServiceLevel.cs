namespace Redundancy.Core.Roles;

/// <summary>
/// The node's service level (0-255) and redundancy mode as OPC UA servers report them (Part 4, 6.6.2: 200-255 a
/// healthy server, 1-199 degraded, 0 not serving), so a SCADA client picks the node to talk to by one number.
/// </summary>
/// <param name="Level">0-255: 255 active with a hot standby, 200 active alone, 150 standby hot, 100 standby warm,
/// 50 standby not ready or starting, 0 maintenance (OPC UA: a server under maintenance), faulted or stopping.</param>
/// <param name="Mode">primary-with-backup, primary-only, backup-ready, backup-not-ready, or not-serving.</param>
public readonly record struct ServiceLevel(byte Level, string Mode)
{
    /// <summary>The service level of a node in <paramref name="role"/> with <paramref name="readiness"/>, whose peer is
    /// heard in <paramref name="peerRole"/> with <paramref name="peerReadiness"/> (null when not heard), with the pair
    /// in maintenance or not.</summary>
    public static ServiceLevel Of(Role role, Readiness readiness, Role? peerRole, Readiness peerReadiness, bool maintenance = false) => role switch
    {
        _ when maintenance && role is Role.Active => new(0, "primary-only"),
        _ when maintenance || role == Role.Maintenance => new(0, "backup-not-ready"),
        Role.Active when peerRole is Role.Standby && peerReadiness == Readiness.Hot => new(255, "primary-with-backup"),
        Role.Active => new(200, "primary-only"),
        Role.Standby when readiness == Readiness.Hot => new(150, "backup-ready"),
        Role.Standby when readiness == Readiness.Warm => new(100, "backup-not-ready"),
        Role.Standby or Role.Starting => new(50, "backup-not-ready"),
        _ => new(0, "not-serving"),
    };
}
