using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>What this node last heard the peer announce (for status); one instance per pair of values.</summary>
internal sealed record PeerSeen(Role Role, Readiness Readiness)
{
    private static readonly PeerSeen[,] All = Build();

    /// <summary>The one instance for <paramref name="role"/> and <paramref name="readiness"/>.</summary>
    public static PeerSeen Of(Role role, Readiness readiness) =>
        (int)role < All.GetLength(0) && (int)readiness < All.GetLength(1) ? All[(int)role, (int)readiness] : new PeerSeen(role, readiness);

    private static PeerSeen[,] Build()
    {
        var roles = Enum.GetValues<Role>().Max(r => (int)r) + 1;
        var readiness = Enum.GetValues<Readiness>().Max(r => (int)r) + 1;
        var all = new PeerSeen[roles, readiness];
        for (var r = 0; r < roles; r++)
        {
            for (var d = 0; d < readiness; d++)
            {
                all[r, d] = new PeerSeen((Role)r, (Readiness)d);
            }
        }

        return all;
    }
}
