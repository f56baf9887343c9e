using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Standby: takeover on silence of every link; one link down is only an alarm; pending input and the interlock hold it back.</summary>
public sealed class RoleStateMachineSilenceTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    [Fact]
    public void PeerSilentOnAllLinks_OneMillisecondBeforeTimeout_NoDecision()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        var during = h.Run(T - RoleHarness.Interval, RoleHarness.NoLinks);
        var lastMoment = h.Step(RoleHarness.Interval - Ms);

        Assert.Equal(DecisionKind.None, during.Kind);
        Assert.Equal(DecisionKind.None, lastMoment.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.Machine.PeerFresh);
    }

    [Fact]
    public void PeerSilentOnAllLinks_PastTimeout_TakesOverWithDetectionTimeEqualToSilence()
    {
        var h = RoleHarness.StandbyWithActivePeer(persistedEpoch: 5, peerEpoch: 5);
        h.Run(T - Ms, RoleHarness.NoLinks);

        var decision = h.Step(2 * Ms);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.Equal(Role.Standby, decision.From);
        Assert.Equal(Role.Active, decision.To);
        Assert.Equal(Role.Active, h.Machine.Role);
        Assert.Equal(T + Ms, decision.DetectionTime);
        Assert.Equal(257UL, decision.Epoch); // basis 5, node 1
        Assert.Equal(257UL, h.Machine.Epoch);
        Assert.Contains("silent", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void SilenceTakeover_IsUnfenced_UnlessTheInterlockIsWired(bool interlockWired, bool unfenced)
    {
        var h = RoleHarness.StandbyWithActivePeer(interlockWired: interlockWired);
        h.Run(T - Ms, RoleHarness.NoLinks, interlock: interlockWired ? InterlockInput.PeerNotDriving : InterlockInput.NotWired);

        var decision = h.Step(2 * Ms, interlock: interlockWired ? InterlockInput.PeerNotDriving : InterlockInput.NotWired);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.Equal(unfenced, decision.Unfenced);
    }

    [Fact]
    public void StartupWithThePeerHeard_IsFenced_SoloStartIsNot()
    {
        var formed = new RoleHarness(nodeId: 1, priority: 200) { PeerId = 2, PeerPriority = 1 };
        var solo = new RoleHarness(soloStart: true);

        var pair = formed.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);
        var alone = solo.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, pair.Kind);
        Assert.False(pair.Unfenced);
        Assert.Equal(DecisionKind.BecomeActive, alone.Kind);
        Assert.True(alone.Unfenced);
    }

    [Fact]
    public void PeerSilentOnAllLinks_RaisesPeerLostBeforeTakeover()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        h.Run(T + RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.True(h.IsRaised(AlarmKind.PeerLost));
    }

    [Theory]
    [InlineData(RoleHarness.Serial, "serial")]
    [InlineData(RoleHarness.Udp, "udp")]
    public void OneLinkSilentOtherDelivering_RaisesLinkDownForThatLinkAndNeverTakesOver(int silentLink, string name)
    {
        var h = RoleHarness.StandbyWithActivePeer();
        int[] other = [1 - silentLink];

        var decision = h.Run(20 * T, other);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.LinkDown, name));
        Assert.Equal(1, h.TimesRaised(AlarmKind.LinkDown, name));
        Assert.False(h.IsRaised(AlarmKind.LinkDown, name == "serial" ? "udp" : "serial"));
        Assert.False(h.IsRaised(AlarmKind.PeerLost));
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.LinkDown && a.Raised && a.Text.Contains(name, StringComparison.Ordinal));
        Assert.False(h.Machine.Links[silentLink].IsUp);
        Assert.True(h.Machine.Links[1 - silentLink].IsUp);
        Assert.Equal(silentLink == RoleHarness.Serial ? HealthFlags.SerialLinkDown : HealthFlags.UdpLinkDown, h.Machine.LinkHealth);
    }

    [Fact]
    public void OneLinkSilent_NotYetPastPeerTimeout_NoLinkDownAlarm()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        h.Run(T - Ms, [RoleHarness.Udp]);

        Assert.False(h.IsRaised(AlarmKind.LinkDown, "serial"));
        Assert.Equal(HealthFlags.None, h.Machine.LinkHealth);
    }

    [Fact]
    public void PeerDies_LinksFallSilentMillisecondsApart_OnlyPeerLostNoDegradedAlarm()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        // The serial frames stop a little before the UDP ones, as when the peer's box loses power.
        h.Step(RoleHarness.Interval, [RoleHarness.Udp]);
        h.Step(RoleHarness.Interval, [RoleHarness.Udp]);
        h.Run(3 * T, RoleHarness.NoLinks);

        Assert.True(h.IsRaised(AlarmKind.PeerLost));
        Assert.Equal(0, h.TimesRaised(AlarmKind.LinkDown, "serial"));
        Assert.Equal(0, h.TimesRaised(AlarmKind.LinkDown, "udp"));
    }

    [Fact]
    public void OneLinkDown_RaisedOnlyAfterAFurtherPeerTimeoutWhileTheOtherStillDelivers()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        h.Run(2 * T - (3 * Ms), [RoleHarness.Udp]); // serial down after T, not yet T more
        Assert.False(h.IsRaised(AlarmKind.LinkDown, "serial"));
        Assert.False(h.Machine.Links[RoleHarness.Serial].IsUp);

        h.Run(5 * Ms + RoleHarness.Interval, [RoleHarness.Udp]);
        Assert.True(h.IsRaised(AlarmKind.LinkDown, "serial"));
    }

    [Fact]
    public void SilentLinkDeliversAgain_AlarmClearsOnlyAfterThreeFrames()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Run(5 * T, [RoleHarness.Udp]);
        Assert.True(h.IsRaised(AlarmKind.LinkDown, "serial"));

        for (var i = 1; i < LinkMonitor.FramesToComeUp; i++)
        {
            h.Step(RoleHarness.Interval, RoleHarness.BothLinks);
            Assert.True(h.IsRaised(AlarmKind.LinkDown, "serial"), $"cleared after only {i} frame(s)");
        }

        h.Step(RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.False(h.IsRaised(AlarmKind.LinkDown, "serial"));
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.LinkDown && a.Subject == "serial" && !a.Raised);
        Assert.Equal(HealthFlags.None, h.Machine.LinkHealth);
    }

    [Fact]
    public void InputPending_PostponesTakeoverWithinTheDrainBound()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Run(T - Ms, RoleHarness.NoLinks);

        var pending = h.Step(5 * Ms, inputPending: true);
        var stillPending = h.Step(5 * Ms, inputPending: true);
        var drained = h.Step(Ms, inputPending: false);

        Assert.Equal(DecisionKind.None, pending.Kind);
        Assert.Equal(DecisionKind.None, stillPending.Kind);
        Assert.Equal(DecisionKind.BecomeActive, drained.Kind);
    }

    [Fact]
    public void InputPendingWithoutEnd_TakesOverOnceTheDrainBoundIsPast()
    {
        // A flood on the heartbeat port keeps input pending for good; before the bound, 60 s of silence gave no takeover.
        var h = RoleHarness.StandbyWithActivePeer();
        h.Run(T - Ms, RoleHarness.NoLinks);
        var decisions = new List<(TimeSpan At, Decision D)>();
        var silent = T - Ms;
        while (silent < TimeSpan.FromSeconds(60) && h.Machine.Role == Role.Standby)
        {
            h.Time.Advance(Ms);
            silent += Ms;
            decisions.Add((silent, h.Evaluate(inputPending: true)));
        }

        var takeover = decisions.Single(d => d.D.IsChange);
        Assert.Equal(DecisionKind.BecomeActive, takeover.D.Kind);
        Assert.True(takeover.At > T + RoleHarness.DrainBound - Ms && takeover.At <= T + RoleHarness.DrainBound + Ms, $"took over after {takeover.At.TotalMilliseconds} ms of silence");
    }

    [Fact]
    public void InputPending_ThenDrainedFrameFromPeer_NoTakeover()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Run(T - Ms, RoleHarness.NoLinks);
        var pending = h.Step(10 * Ms, inputPending: true);

        // The engine hands over the frame that was waiting (received before this evaluation).
        h.PeerSends([RoleHarness.Udp]);
        var after = h.Evaluate(inputPending: false);

        Assert.Equal(DecisionKind.None, pending.Kind);
        Assert.Equal(DecisionKind.None, after.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void InterlockPeerDriving_BlocksTakeoverAndRaisesInterlockAlarmOnce()
    {
        var h = RoleHarness.StandbyWithActivePeer(interlockWired: true);

        var blocked = h.Run(5 * T, RoleHarness.NoLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(DecisionKind.None, blocked.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.InterlockBlocksTakeover));
        Assert.Equal(1, h.TimesRaised(AlarmKind.InterlockBlocksTakeover));
    }

    [Fact]
    public void InterlockDropsAfterBlocking_TakesOverAndClearsInterlockAlarm()
    {
        var h = RoleHarness.StandbyWithActivePeer(interlockWired: true);
        h.Run(2 * T, RoleHarness.NoLinks, interlock: InterlockInput.PeerDriving);

        var decision = h.Step(RoleHarness.Interval, interlock: InterlockInput.PeerNotDriving);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.False(h.IsRaised(AlarmKind.InterlockBlocksTakeover));
        Assert.Equal(T + T + RoleHarness.Interval, decision.DetectionTime);
    }

    [Fact]
    public void InterlockWiredPeerNotDriving_TakesOverWithoutUnfencedAlarm()
    {
        var h = RoleHarness.StandbyWithActivePeer(interlockWired: true);

        var decision = h.Run(2 * T, RoleHarness.NoLinks, interlock: InterlockInput.PeerNotDriving);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.DoesNotContain(h.Alarms, a => a.Kind == AlarmKind.UnfencedTakeover);
    }

    [Fact]
    public void NoInterlockWiredPeerSilent_TakeoverRaisesUnfencedTakeover()
    {
        var h = RoleHarness.StandbyWithActivePeer(interlockWired: false);

        var decision = h.Run(2 * T, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.UnfencedTakeover));
    }

    [Fact]
    public void UnfencedTakeover_PeerHeardAgain_AlarmCleared()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Run(2 * T, RoleHarness.NoLinks);
        h.PeerRole = Role.Standby;

        h.Step(RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.False(h.IsRaised(AlarmKind.UnfencedTakeover));
        Assert.False(h.IsRaised(AlarmKind.PeerLost));
    }

    [Fact]
    public void AfterFrame_FollowingUntilNextDeadline_ReachesTheTakeoverTheMomentThePeerIsNoLongerFresh()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        var elapsed = TimeSpan.Zero;
        Decision decision = default;

        for (var i = 0; i < 10 && !decision.IsChange; i++)
        {
            var wait = h.Machine.UntilNextDeadline();
            elapsed += wait;
            decision = h.Step(wait);
        }

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.InRange(elapsed, T, T + TimeSpan.FromTicks(1));
    }

    [Fact]
    public void UntilNextDeadline_IsNeverMoreThanHalfThePeerTimeout_SoWaitingItOutIsNeverAStall()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        for (var i = 0; i < 3; i++)
        {
            var wait = h.Machine.UntilNextDeadline();
            Assert.InRange(wait, TimeSpan.FromTicks(1), T / 2);
            var d = h.Step(wait);
            Assert.DoesNotContain("stalled", d.Reason ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MidSilence_UntilNextDeadline_CountsFromTheLastFrame()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Step(40 * Ms);

        var wait = h.Machine.UntilNextDeadline();

        Assert.InRange(wait, TimeSpan.FromTicks(1), T - (40 * Ms) + TimeSpan.FromTicks(1));
    }
}
