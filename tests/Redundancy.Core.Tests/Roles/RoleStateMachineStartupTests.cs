using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Start-up: listen for the window, never active while an active peer is heard, solo start only when configured.</summary>
public sealed class RoleStateMachineStartupTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void NewMachine_StartsInStartingWithPersistedEpoch()
    {
        var h = new RoleHarness(persistedEpoch: 41);

        Assert.Equal(Role.Starting, h.Machine.Role);
        Assert.Equal(41UL, h.Machine.Epoch);
        Assert.False(h.Machine.PeerFresh);
    }

    [Fact]
    public void BothStarting_BeforeStartupWindowEnds_DecidesNothing()
    {
        var h = new RoleHarness(soloStart: true);

        var during = h.Run(RoleHarness.StartupWindow - RoleHarness.Interval, RoleHarness.BothLinks);
        var lastMoment = h.Step(RoleHarness.Interval - Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, during.Kind);
        Assert.Equal(DecisionKind.None, lastMoment.Kind);
        Assert.Equal(Role.Starting, h.Machine.Role);
    }

    [Fact]
    public void BothStarting_StartupWindowEnds_PreferredNodeDecides()
    {
        var h = new RoleHarness();
        h.Run(RoleHarness.StartupWindow - Ms, RoleHarness.BothLinks);

        var decision = h.Step(Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
    }

    [Fact]
    public void HostSlowToStartTheEngine_TheWindowCountsFromBegin_NotFromConstruction()
    {
        // The host builds the machine, then spends longer than the window on the rest of the agent before the engine
        // starts its threads: the node has not yet sent or heard a frame, so it has not listened at all.
        var h = new RoleHarness(soloStart: true);
        h.Time.Advance(RoleHarness.StartupWindow * 2);
        h.Machine.Begin();

        var first = h.Step(Ms, RoleHarness.NoLinks);
        var late = h.Run(RoleHarness.StartupWindow - RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, first.Kind);
        Assert.Equal(DecisionKind.None, late.Kind);
        Assert.Equal(Role.Starting, h.Machine.Role);
        var solo = h.Run(RoleHarness.Interval * 2, RoleHarness.NoLinks);
        Assert.Equal(DecisionKind.BecomeActive, solo.Kind);
        Assert.Contains("solo start", solo.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HostSlowToStartTheEngine_PeerHeardAfterBegin_JoinsAsStandby()
    {
        var h = new RoleHarness(nodeId: 2, priority: 90, soloStart: true) { PeerId = 1, PeerPriority = 100, PeerRole = Role.Active, PeerEpoch = 257 };
        h.Time.Advance(RoleHarness.StartupWindow * 2);
        h.Machine.Begin();

        var decision = h.Run(RoleHarness.Interval * 2, RoleHarness.BothLinks);

        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.Contains("active peer", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Begin_AfterTheMachineHasDecided_IsRefused()
    {
        var h = new RoleHarness(soloStart: true);
        h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.Equal(Role.Active, h.Machine.Role);
        Assert.Throws<InvalidOperationException>(h.Machine.Begin);
    }

    [Fact]
    public void SoloStartOff_NoPeer_Waits_UntilReleasedByHand_ThenStartsAloneNamingTheCaller()
    {
        var h = new RoleHarness(soloStart: false);
        var early = h.Machine.ReleaseStartup(1000);
        var waited = h.Run(RoleHarness.StartupWindow * 3, RoleHarness.NoLinks);
        Assert.Contains("not over yet", early);
        Assert.Equal(DecisionKind.None, waited.Kind);
        Assert.True(h.IsRaised(AlarmKind.WaitingForPeer));
        Assert.Contains("release-startup", h.Alarms.Last(a => a.Kind == AlarmKind.WaitingForPeer).Text);

        Assert.Null(h.Machine.ReleaseStartup(1000));
        var started = h.Step(Ms, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, started.Kind);
        Assert.Contains("released by hand, asked by uid 1000", started.Reason, StringComparison.Ordinal);
        Assert.False(h.IsRaised(AlarmKind.WaitingForPeer));
        Assert.Contains("no start-up to release", h.Machine.ReleaseStartup(1000));
    }

    [Fact]
    public void ReleaseStartup_WhilePeerHeard_IsRefused()
    {
        var h = new RoleHarness(nodeId: 2, priority: 90, soloStart: false) { PeerId = 1, PeerPriority = 100 };
        h.Run(RoleHarness.StartupWindow / 2, RoleHarness.BothLinks);

        Assert.Contains("is heard", h.Machine.ReleaseStartup(0));
    }

    [Fact]
    public void ReleaseStartup_WithSoloStartOn_OrInMaintenance_IsRefused()
    {
        var solo = new RoleHarness(soloStart: true);
        solo.Time.Advance(RoleHarness.StartupWindow * 2);
        var maintenance = new RoleHarness(soloStart: false);
        maintenance.Machine.SetMaintenance(true);
        maintenance.Run(RoleHarness.StartupWindow * 2, RoleHarness.NoLinks);

        Assert.Contains("solo start is on", solo.Machine.ReleaseStartup(0));
        Assert.Contains("maintenance", maintenance.Machine.ReleaseStartup(0));
        Assert.Equal(Role.Starting, maintenance.Machine.Role);
    }

    [Fact]
    public void ReleasedStartup_StillWithheld_WhileTheInterlockSaysThePeerDrives()
    {
        var h = new RoleHarness(soloStart: false, interlockWired: true);
        h.Run(RoleHarness.StartupWindow * 2, RoleHarness.NoLinks, interlock: InterlockInput.PeerNotDriving);
        Assert.Null(h.Machine.ReleaseStartup(0));

        var held = h.Step(Ms, RoleHarness.NoLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(DecisionKind.None, held.Kind);
        Assert.Equal(Role.Starting, h.Machine.Role);
    }

    [Fact]
    public void SoloStartOff_NoPeer_BeforeWindowEnds_NoAlarmYet()
    {
        var h = new RoleHarness(soloStart: false);

        h.Run(RoleHarness.StartupWindow - Ms, RoleHarness.NoLinks);

        Assert.False(h.IsRaised(AlarmKind.WaitingForPeer));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ActivePeerHeardDuringStartup_BecomesStandbyAtOnce(bool soloStart)
    {
        var h = new RoleHarness(nodeId: 1, priority: 200, soloStart: soloStart, persistedEpoch: 5)
        {
            PeerId = 2,
            PeerPriority = 1,
            PeerRole = Role.Active,
            PeerEpoch = 3,
        };

        var decision = h.Step(Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeStandby, decision.Kind);
        Assert.Equal(Role.Starting, decision.From);
        Assert.Equal(Role.Standby, decision.To);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.Equal(5UL, h.Machine.Epoch);
        Assert.Contains("active peer", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ActivePeerKeepsSending_StandbyNeverBecomesActive()
    {
        var h = new RoleHarness(nodeId: 1, priority: 255, soloStart: true) { PeerId = 9, PeerPriority = 1, PeerRole = Role.Active };
        h.Step(Ms, RoleHarness.BothLinks);

        var later = h.Run(20 * RoleHarness.PeerTimeout, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, later.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void ActivePeerHeardLateInWindow_BecomesStandbyNotActive()
    {
        var h = new RoleHarness(nodeId: 1, priority: 255, soloStart: true) { PeerId = 2, PeerPriority = 1 };
        h.Run(RoleHarness.StartupWindow - (3 * RoleHarness.Interval), RoleHarness.NoLinks);
        h.PeerRole = Role.Active;

        var decision = h.Step(RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeStandby, decision.Kind);
    }

    // Own epoch 5, peer's 3: the active takes basis 5's next generation (256) with its id; the standby keeps 5.
    [Theory]
    [InlineData(1, 100, 2, 100, DecisionKind.BecomeActive, 257UL)] // equal priority: lower node id wins
    [InlineData(2, 100, 1, 100, DecisionKind.BecomeStandby, 5UL)]
    [InlineData(2, 200, 1, 100, DecisionKind.BecomeActive, 258UL)] // higher priority beats lower id
    [InlineData(1, 100, 2, 200, DecisionKind.BecomeStandby, 5UL)]
    [InlineData(200, 7, 3, 6, DecisionKind.BecomeActive, 456UL)]
    public void BothStarting_AfterWindow_PreferredBecomesActiveOtherStandby(
        byte nodeId, byte priority, byte peerId, byte peerPriority, DecisionKind expected, ulong expectedEpoch)
    {
        var h = new RoleHarness(nodeId, priority, persistedEpoch: 5) { PeerId = peerId, PeerPriority = peerPriority, PeerRole = Role.Starting, PeerEpoch = 3 };

        var decision = h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.Equal(expected, decision.Kind);
        Assert.Equal(decision.To, h.Machine.Role);
        Assert.Equal(expectedEpoch, h.Machine.Epoch);
        Assert.Equal(h.Machine.Epoch, decision.Epoch);
    }

    [Fact]
    public void BothStarting_LessPreferredNode_StaysStandbyWhilePeerStarting()
    {
        var h = new RoleHarness(nodeId: 2) { PeerId = 1, PeerRole = Role.Starting };
        h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);

        var later = h.Run(20 * RoleHarness.PeerTimeout, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, later.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Theory]
    [InlineData(Role.Faulted)]
    [InlineData(Role.Stopping)]
    public void PeerFaultedOrStoppingAtStartup_LessPreferredNodeStillBecomesActive(Role peerRole)
    {
        var h = new RoleHarness(nodeId: 2, priority: 1) { PeerId = 1, PeerPriority = 200, PeerRole = peerRole };

        var decision = h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
    }

    [Fact]
    public void SoloStartOn_NoPeer_BecomesActiveOnlyAfterWindow()
    {
        var h = new RoleHarness(soloStart: true, persistedEpoch: 5);

        var before = h.Run(RoleHarness.StartupWindow - Ms, RoleHarness.NoLinks);
        var after = h.Step(Ms + RoleHarness.Interval);

        Assert.Equal(DecisionKind.None, before.Kind);
        Assert.Equal(DecisionKind.BecomeActive, after.Kind);
        Assert.Equal(Role.Starting, after.From);
        Assert.Equal(Role.Active, h.Machine.Role);
        Assert.Equal(257UL, h.Machine.Epoch); // basis 5, node 1
        Assert.Equal(257UL, after.Epoch);
        Assert.Contains("solo", after.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SoloStartOff_NoPeer_StaysStartingAndRaisesWaitingForPeerOnce()
    {
        var h = new RoleHarness(soloStart: false);

        var decision = h.Run(20 * RoleHarness.StartupWindow, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Starting, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.WaitingForPeer));
        Assert.Equal(1, h.TimesRaised(AlarmKind.WaitingForPeer));
    }

    [Fact]
    public void SoloStartOff_PeerArrivesLater_PreferredNodeBecomesActiveAndClearsWaitingForPeer()
    {
        var h = new RoleHarness(nodeId: 1, soloStart: false) { PeerId = 2, PeerRole = Role.Starting };
        h.Run(2 * RoleHarness.StartupWindow, RoleHarness.NoLinks);

        var decision = h.Run(RoleHarness.StartupWindow, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.False(h.IsRaised(AlarmKind.WaitingForPeer));
        Assert.Equal(1, h.TimesRaised(AlarmKind.WaitingForPeer));
    }

    [Fact]
    public void SoloStartOn_InterlockSaysPeerDriving_WithholdsAndRaisesInterlockAlarm()
    {
        var h = new RoleHarness(soloStart: true, interlockWired: true);

        var decision = h.Run(2 * RoleHarness.StartupWindow, RoleHarness.NoLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Starting, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.InterlockBlocksTakeover));
    }

    [Fact]
    public void BothStarting_PreferredButInterlockSaysPeerDriving_Withholds()
    {
        var h = new RoleHarness(nodeId: 1, interlockWired: true) { PeerId = 2, PeerRole = Role.Starting };

        var decision = h.Run(2 * RoleHarness.StartupWindow, RoleHarness.BothLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.InterlockBlocksTakeover));
    }

    [Fact]
    public void OneLinkSilentDuringStartupWindow_NoLinkDownAlarmBeforeWindowEnds()
    {
        var h = new RoleHarness(nodeId: 2) { PeerId = 1, PeerRole = Role.Starting };

        h.Run(RoleHarness.StartupWindow - Ms, [RoleHarness.Udp]);

        Assert.DoesNotContain(h.Alarms, a => a.Kind == AlarmKind.LinkDown);
    }

    [Fact]
    public void SoloStartOn_InputPendingAtWindowEnd_WaitsOnlyForTheDrainBound()
    {
        var h = new RoleHarness(soloStart: true);

        var atWindowEnd = h.Run(RoleHarness.StartupWindow + (RoleHarness.DrainBound / 2), RoleHarness.NoLinks, inputPending: true);
        var pastBound = h.Run(RoleHarness.DrainBound, RoleHarness.NoLinks, inputPending: true);

        Assert.Equal(DecisionKind.None, atWindowEnd.Kind);
        Assert.Equal(DecisionKind.BecomeActive, pastBound.Kind);
    }

    [Fact]
    public void Starting_UntilNextDeadline_IsAtMostTheStartupWindow()
    {
        var h = new RoleHarness();

        var wait = h.Machine.UntilNextDeadline();

        Assert.InRange(wait, TimeSpan.Zero, RoleHarness.StartupWindow);
    }

    [Fact]
    public void WaitingForThePeer_ThenItIsHeardActive_JoinsAsStandby_AndTheAlarmClears()
    {
        // Before: only a takeover cleared WaitingForPeer; a node that then joined as standby kept the alarm for good.
        var h = new RoleHarness(nodeId: 2, priority: 100, soloStart: false);
        Assert.Equal(DecisionKind.None, h.Run(2 * RoleHarness.StartupWindow, RoleHarness.NoLinks).Kind);
        Assert.True(h.IsRaised(AlarmKind.WaitingForPeer));

        h.PeerRole = Role.Active;
        var joined = h.Step(RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeStandby, joined.Kind);
        Assert.False(h.IsRaised(AlarmKind.WaitingForPeer));
    }
}
