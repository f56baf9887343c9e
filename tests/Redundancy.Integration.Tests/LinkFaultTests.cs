using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>One link down is an alarm, never a takeover.</summary>
[Collection("pair")]
public sealed class LinkFaultTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void SerialCablePulled_AlarmOnBothNodes_NoTakeover_ClearedWhenPluggedBack()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(pair.A.WaitForEvent(e => e.Kind == NodeEventKind.LinkUp && e.Subject == "serial", Wait) is not null, Dump(pair));
        var changes = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;

        var pullAt = pair.Cabinet.Mark("kill socat");
        pair.Socat!.Pull();
        foreach (var node in new[] { pair.A, pair.B })
        {
            var alarm = node.WaitForEvent(e => e.Kind == NodeEventKind.AlarmRaised && e.Subject == "serial", Wait, pullAt);
            Assert.True(alarm is not null, $"{node.Node} raised no alarm" + Dump(pair));
            Assert.Equal("redundancy degraded: serial link down", alarm.Reason);
        }

        Hold(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(changes, pair.A.RoleChanges.Count + pair.B.RoleChanges.Count);
        Assert.True(pair.DrivesAll("A"));
        Assert.DoesNotContain(pair.B.Received, e => e.T > pullAt && e.Event.IsAlarmRaised("PeerLost"));

        var plugAt = pair.Cabinet.Mark("socat back");
        pair.Socat.Plug();
        Assert.True(pair.B.WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Subject == "serial", Wait, plugAt) is not null, Dump(pair));
    }

    [Fact]
    public void UdpCablePulledBetweenNamespaces_Alarm_NoTakeover()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec with { Netns = true });
        Assert.True(pair.A.WaitForEvent(e => e.Kind == NodeEventKind.LinkUp && e.Subject == "udp", Wait) is not null, Dump(pair));
        var changes = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;

        var pullAt = pair.Cabinet.Mark("ip link set down");
        pair.Netns!.Pull();
        var alarm = pair.B.WaitForEvent(e => e.Kind == NodeEventKind.AlarmRaised && e.Subject == "udp", Wait, pullAt);
        Assert.True(alarm is not null, Dump(pair));
        Assert.Equal("redundancy degraded: udp link down", alarm.Reason);

        Hold(TimeSpan.FromMilliseconds(1000));
        Assert.True(changes == pair.A.RoleChanges.Count + pair.B.RoleChanges.Count, Dump(pair));
        Assert.True(pair.DrivesAll("A"));

        var plugAt = pair.Cabinet.Mark("ip link set up");
        pair.Netns.Plug();
        Assert.True(pair.B.WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Subject == "udp", Wait, plugAt) is not null, Dump(pair));
    }
}
