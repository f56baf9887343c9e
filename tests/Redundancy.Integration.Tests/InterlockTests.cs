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
