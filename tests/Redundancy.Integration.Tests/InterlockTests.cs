using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>The hardware interlock: the standby never drives while the peer's "I am active" line is high.</summary>
[Collection("pair")]
public sealed class InterlockTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Interlock = true };

    [Fact]
    public void HungActiveWithItsLineHigh_StandbyWithholdsTakeover_UntilThePowerGoes()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));

        var stopAt = pair.Cabinet.Mark("SIGSTOP A");
        pair.A.Signal(Signals.Stop);
        var blocked = pair.B.WaitForAlarm("InterlockBlocksTakeover", Wait, stopAt);
        Assert.True(blocked is not null, Dump(pair));
        Hold(TimeSpan.FromMilliseconds(300));
        Assert.False(pair.Cabinet.IsDriving("B", "pump1"));
        Assert.Equal("Standby", pair.B.Role);

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill); // the box loses power: its line drops
        Assert.True(pair.B.WaitForTakeover(Wait, killAt) is not null, Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void BothLinksCut_TheInterlockAlone_HoldsTheStandbyBack_NeverTwoDrivers_ThenHealed()
    {
        // Issue 15: both cables cut with the interlock as the only defence (no witness): the standby cannot tell a dead
        // peer from cut cables, but the peer's "I am active" line says it drives.
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec with { Netns = true });
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));

        var cutAt = pair.Cabinet.Mark("both links cut");
        pair.Socat!.Pull();
        pair.Netns!.Pull();
        var blocked = pair.B.WaitForAlarm("InterlockBlocksTakeover", Wait, cutAt);
        Assert.True(blocked is not null, "B should say the interlock holds it back" + Dump(pair));
        Assert.Contains("line is still high", blocked.Reason, StringComparison.Ordinal);
        Hold(TimeSpan.FromSeconds(1)); // ten peer timeouts

        Assert.DoesNotContain(pair.B.EventsSince(cutAt), e => e.IsTakeover());
        Assert.Equal("Standby", pair.B.Role);
        Assert.Equal("Active", pair.A.Role);
        Assert.True(pair.DrivesAll("A"), "A keeps driving: it is the one active");
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());

        var healAt = pair.Cabinet.Mark("links restored");
        pair.Netns.Plug();
        pair.Socat.Plug();
        Assert.True(pair.B.WaitForEvent(e => e.Kind == Protocol.Events.NodeEventKind.AlarmCleared && e.Alarm == "InterlockBlocksTakeover", Wait, healAt) is not null,
            "the alarm should clear when the peer is heard again" + Dump(pair));
        Assert.Equal("Standby", pair.B.Role);
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void HungActiveWithItsLineThroughTheRelay_StandbyTakesOverOnceTheRelayDrops()
    {
        // Hold time longer than the peer timeout is allowed only because the line runs through the relay.
        using var pair = PairHarness.StartPair(Spec with { RelayHoldMs = 250, InterlockThroughRelay = true });
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));

        var stopAt = pair.Cabinet.Mark("SIGSTOP A");
        pair.A.Signal(Signals.Stop);
        Assert.True(pair.B.WaitForTakeover(Wait, stopAt) is not null, Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));

        var timeline = pair.Cabinet.SettledTimeline();
        var relayOpen = timeline.Events.First(e => e.Node == "A" && e.Kind == "relay-open" && e.T > stopAt);
        var bDrives = timeline.FirstFullDrive("B", Spec.Channels.ToArray(), stopAt)!.Value;
        Assert.True(bDrives > relayOpen.T, "B drove before A's relay opened" + Dump(pair));
        Assert.Equal(TimeSpan.Zero, timeline.Overlap());
        pair.A.Signal(Signals.Continue);
    }
}
