using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Standby: takeover on silence of every link, one link down is only an alarm, interlock and announcements.</summary>
public sealed class RoleStateMachineStandbyTests
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
        Assert.Equal(6UL, decision.Epoch);
        Assert.Equal(6UL, h.Machine.Epoch);
        Assert.Contains("silent", decision.Reason, StringComparison.Ordinal);
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
    public void InputPending_PostponesTakeover()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Run(T - Ms, RoleHarness.NoLinks);

        var pending = h.Step(10 * Ms, inputPending: true);
        var stillPending = h.Step(10 * Ms, inputPending: true);
        var drained = h.Step(Ms, inputPending: false);

        Assert.Equal(DecisionKind.None, pending.Kind);
        Assert.Equal(DecisionKind.None, stillPending.Kind);
        Assert.Equal(DecisionKind.BecomeActive, drained.Kind);
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

    [Theory]
    [InlineData(Role.Stopping)]
    [InlineData(Role.Faulted)]
    public void PeerAnnouncesStoppingOrFaulted_TakesOverImmediately(Role announced)
    {
        var h = RoleHarness.StandbyWithActivePeer(nodeId: 2, priority: 1, peerId: 1, peerPriority: 255);
        h.PeerRole = announced;

        var decision = h.Step(Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
        Assert.Equal(TimeSpan.Zero, decision.DetectionTime);
        Assert.Contains(announced.ToString(), decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Alarms, a => a.Kind == AlarmKind.UnfencedTakeover);
    }

    [Fact]
    public void PeerAnnouncesStopping_InterlockStillSaysDriving_Withholds()
    {
        var h = RoleHarness.StandbyWithActivePeer(interlockWired: true);
        h.PeerRole = Role.Stopping;

        var decision = h.Step(Ms, RoleHarness.BothLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.InterlockBlocksTakeover));
    }

    [Theory]
    [InlineData(5UL, 9UL, 10UL)]
    [InlineData(12UL, 9UL, 13UL)]
    [InlineData(7UL, 7UL, 8UL)]
    [InlineData(0UL, 0UL, 1UL)]
    public void Takeover_EpochIsMaxOfOwnAndPeerPlusOne(ulong own, ulong peer, ulong expected)
    {
        var h = RoleHarness.StandbyWithActivePeer(persistedEpoch: own, peerEpoch: peer);
        h.PeerRole = Role.Stopping;

        var decision = h.Step(Ms, RoleHarness.BothLinks);

        Assert.Equal(expected, decision.Epoch);
        Assert.Equal(expected, h.Machine.Epoch);
    }

    [Fact]
    public void Takeover_AfterSilence_EpochIsMaxOfOwnAndPeerPlusOne()
    {
        var h = RoleHarness.StandbyWithActivePeer(persistedEpoch: 3, peerEpoch: 40);

        var decision = h.Run(2 * T, RoleHarness.NoLinks);

        Assert.Equal(41UL, decision.Epoch);
    }

    [Fact]
    public void TwoStandbys_PreferredNodeTakesOverAfterPeerTimeoutOfNoActive()
    {
        var h = RoleHarness.StandbyWithActivePeer(nodeId: 1, peerId: 2);
        h.PeerRole = Role.Standby;
        var first = h.Step(RoleHarness.Interval, RoleHarness.BothLinks); // the first frame saying nobody is active

        var during = h.Run(T - RoleHarness.Interval, RoleHarness.BothLinks);
        var lastMoment = h.Step(RoleHarness.Interval - Ms, RoleHarness.BothLinks);
        var after = h.Step(2 * Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, first.Kind);
        Assert.Equal(DecisionKind.None, during.Kind);
        Assert.Equal(DecisionKind.None, lastMoment.Kind);
        Assert.Equal(DecisionKind.BecomeActive, after.Kind);
        Assert.Contains("no active node", after.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Alarms, a => a.Kind == AlarmKind.UnfencedTakeover);
    }

    [Fact]
    public void TwoStandbys_LessPreferredNode_NeverTakesOver()
    {
        var h = RoleHarness.StandbyWithActivePeer(nodeId: 2, peerId: 1);
        h.PeerRole = Role.Standby;

        var decision = h.Run(20 * T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void TwoStandbys_HigherPriorityWinsOverLowerId()
    {
        var h = RoleHarness.StandbyWithActivePeer(nodeId: 9, priority: 200, peerId: 1, peerPriority: 100);
        h.PeerRole = Role.Standby;

        var decision = h.Run(2 * T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
    }

    [Fact]
    public void TwoStandbys_PeerBecomesActiveBeforeTimeout_NoTakeover()
    {
        var h = RoleHarness.StandbyWithActivePeer(nodeId: 1, peerId: 2);
        h.PeerRole = Role.Standby;
        h.Run(T - RoleHarness.Interval, RoleHarness.BothLinks);
        h.PeerRole = Role.Active;

        var decision = h.Run(10 * T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
    }

    [Fact]
    public void LocalFault_BecomesFaulted()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        var decision = h.Machine.OnLocalFault("outputs failed");

        Assert.Equal(DecisionKind.BecomeFaulted, decision.Kind);
        Assert.Equal(Role.Standby, decision.From);
        Assert.Equal(Role.Faulted, h.Machine.Role);
        Assert.Equal("outputs failed", decision.Reason);
    }

    [Fact]
    public void Faulted_PeerSilentOrStopping_NeverTakesOver()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.OnLocalFault("storage failed");

        var silent = h.Run(10 * T, RoleHarness.NoLinks, interlock: InterlockInput.PeerNotDriving);
        h.PeerRole = Role.Stopping;
        var stopping = h.Run(10 * T, RoleHarness.BothLinks, interlock: InterlockInput.PeerNotDriving);

        Assert.Equal(DecisionKind.None, silent.Kind);
        Assert.Equal(DecisionKind.None, stopping.Kind);
        Assert.Equal(Role.Faulted, h.Machine.Role);
    }

    [Fact]
    public void Faulted_LocalFaultAgain_NoDecision()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.OnLocalFault("first");

        var again = h.Machine.OnLocalFault("second");

        Assert.Equal(DecisionKind.None, again.Kind);
    }

    [Fact]
    public void StopRequested_BecomesStoppingOnceAndStaysThere()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        var stop = h.Machine.OnStopRequested("shutdown");
        var again = h.Machine.OnStopRequested("shutdown");
        var fault = h.Machine.OnLocalFault("late fault");
        var silent = h.Run(10 * T, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeStopping, stop.Kind);
        Assert.Equal(Role.Standby, stop.From);
        Assert.Equal(Role.Stopping, stop.To);
        Assert.Equal(DecisionKind.None, again.Kind);
        Assert.Equal(DecisionKind.None, fault.Kind);
        Assert.Equal(DecisionKind.None, silent.Kind);
        Assert.Equal(Role.Stopping, h.Machine.Role);
    }

    [Fact]
    public void Faulted_StopRequested_BecomesStopping()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.OnLocalFault("outputs failed");

        var stop = h.Machine.OnStopRequested("shutdown");

        Assert.Equal(DecisionKind.BecomeStopping, stop.Kind);
        Assert.Equal(Role.Faulted, stop.From);
    }

    [Fact]
    public void AfterFrame_UntilNextDeadline_IsWithinPeerTimeoutAndWakesInTimeForTakeover()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        var wait = h.Machine.UntilNextDeadline();
        var atDeadline = h.Step(wait);

        // The deadline is the first instant the peer is no longer fresh: the peer timeout plus one timestamp tick.
        Assert.InRange(wait, TimeSpan.FromTicks(1), T + TimeSpan.FromTicks(1));
        Assert.Equal(DecisionKind.BecomeActive, atDeadline.Kind);
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
