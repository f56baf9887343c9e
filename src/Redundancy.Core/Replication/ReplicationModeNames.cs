namespace Redundancy.Core.Replication;

/// <summary>The config names of <see cref="ReplicationMode"/>: "sync", "semi-sync", "async" (exact, lower case).</summary>
public static class ReplicationModeNames
{
    /// <summary>The config name of <paramref name="mode"/>.</summary>
    public static string ToConfigName(this ReplicationMode mode) => mode switch
    {
        ReplicationMode.Sync => "sync",
        ReplicationMode.SemiSync => "semi-sync",
        ReplicationMode.Async => "async",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown replication mode"),
    };

    /// <summary>Parses a config name; false for anything else (names are case-sensitive, as all config names).</summary>
    public static bool TryParse(string? name, out ReplicationMode mode)
    {
        switch (name)
        {
            case "sync":
                mode = ReplicationMode.Sync;
                return true;
            case "semi-sync":
                mode = ReplicationMode.SemiSync;
                return true;
            case "async":
                mode = ReplicationMode.Async;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
