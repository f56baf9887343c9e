using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

[Collection("pair")]
/// <summary>Announcements that change faster than the heartbeat interval (each kicks the senders) must not silence
/// the regular heartbeats: 30 maintenance toggles in a burst once stepped the active down by its own lease.</summary>
public sealed class KickBurstTests
{
    [Fact]
    public void ThirtyMaintenanceTogglesInABurst_NoRoleChange()
    {
        using var pair = PairHarness.StartPair(new PairSpec { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync", });
        using (var a0 = pair.Control("A"))
        {
            Assert.True(Eventually(() => a0.Status().Peer?.Readiness == "Hot", Wait));
        }

        var mark = pair.Cabinet.Mark("toggles");
        using var a = pair.Control("A");
        for (var i = 0; i < 15; i++)
        {
            Assert.True(a.Send<CommandResponse>(new MaintenanceRequest(i % 2 == 0)).Ok);
            Assert.True(a.Send<CommandResponse>(new MaintenanceRequest(i % 2 != 0)).Ok);
        }

        Hold(TimeSpan.FromSeconds(2));
        var changes = pair.A.EventsSince(mark).Concat(pair.B.EventsSince(mark)).Where(e => e.Kind == NodeEventKind.RoleChanged).Select(e => $"{e.Node} {e.Time:HH:mm:ss.fff} {e.Reason}").ToArray();
        Assert.True(changes.Length == 0, string.Join("; ", changes));
    }
}
