using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>
/// What is heard besides the peer's fresh frames: recordings and deaf peers (unverified), a node with our id, a
/// misconfigured peer's frames. None proves the peer alive; some hold a takeover back or fault the node.
/// </summary>
public sealed class RoleStateMachineEvidenceTests
{
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    [Fact]
    public void StandbyHearingOnlyUnverifiedActiveFrames_TakesOverAtTheTimeout()
    {
        // A recording of the dead active's frames, replayed: it must not keep the standby from taking over.
        var h = RoleHarness.StandbyWithActivePeer();

        var silent = h.RunWith(T + (2 * RoleHarness.Interval), () => h.PeerSendsUnverified(RoleHarness.BothLinks));

        Assert.Equal(DecisionKind.BecomeActive, silent.Kind);
        Assert.Contains("silent", silent.Reason, StringComparison.Ordinal);
        Assert.True(h.IsRaised(AlarmKind.PeerUnverified));
    }

    [Fact]
    public void StartingNodeHearingOnlyUnverifiedActiveFrames_StartsSoloAfterTheWindow()
    {
        var h = new RoleHarness(soloStart: true) { PeerRole = Role.Active };

        var decision = h.RunWith(RoleHarness.StartupWindow + RoleHarness.Interval, () => h.PeerSendsUnverified(RoleHarness.BothLinks));

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.Contains("solo start", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ActiveHearingAnUnverifiedActivePeerThatWins_StepsDownWithDualActiveAlarm_ThenListensBeforeTakingOver()
    {
        // The peer took over because it cannot hear us; we hear it: yielding is the safe direction.
        var h = RoleHarness.SoloActive(nodeId: 1, persistedEpoch: 5);
        h.PeerRole = Role.Active;
        h.PeerEpoch = h.Machine.Epoch + 256;

        var yielded = h.RunWith(RoleHarness.Interval, () => h.PeerSendsUnverified(RoleHarness.BothLinks));
        var afterwards = h.RunWith(T - RoleHarness.Interval, () => { });

        Assert.Equal(DecisionKind.BecomeStandby, yielded.Kind);
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.DualActive && a.Raised && a.Text.Contains("both nodes were active", StringComparison.Ordinal));
        Assert.Equal(DecisionKind.None, afterwards.Kind);
    }

    [Fact]
    public void ActiveHearingAFreshActivePeerWithALowerEpoch_RaisesDualActive_ClearedWhenThePeerYields()
    {
        // Before: the winning side said nothing while both drove.
        var h = RoleHarness.SoloActive(nodeId: 1, persistedEpoch: 5);
        h.PeerRole = Role.Active;
        h.PeerEpoch = 5;

        var both = h.Run(3 * RoleHarness.Interval, RoleHarness.BothLinks);
        var raised = h.IsRaised(AlarmKind.DualActive);
        h.PeerRole = Role.Standby;
        h.Run(3 * RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, both.Kind);
        Assert.True(raised);
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.DualActive && a.Raised && a.Text.Contains("must step down", StringComparison.Ordinal));
        Assert.False(h.IsRaised(AlarmKind.DualActive));
    }

    [Fact]
    public void PeerThatYieldedBeforeThisNodeHeardItClaimActive_RaisesDualActiveHereToo()
    {
        // Links heal: the loser hears the winner first and yields at once; its Active frames never reached the winner.
        var loser = RoleHarness.SoloActive(nodeId: 1, persistedEpoch: 5);
        loser.PeerRole = Role.Active;
        loser.PeerEpoch = loser.Machine.Epoch + 256;
        loser.RunWith(RoleHarness.Interval, () => loser.PeerSendsUnverified(RoleHarness.BothLinks));
        var announced = loser.Machine.LinkHealth;

        var winner = RoleHarness.SoloActive(nodeId: 2, persistedEpoch: 300);
        winner.PeerId = 1;
        winner.PeerRole = Role.Standby;
        winner.PeerHealth = announced;
        winner.Run(2 * RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.True(announced.HasFlag(HealthFlags.YieldedToPeer));
        Assert.Contains(winner.Alarms, a => a.Kind == AlarmKind.DualActive && a.Raised && a.Text.Contains("yielded", StringComparison.Ordinal));
        loser.Time.Advance(3 * T);
        Assert.False(loser.Machine.LinkHealth.HasFlag(HealthFlags.YieldedToPeer));
    }

    [Theory]
    [InlineData(100, 90, DecisionKind.None)]          // this node is preferred: it holds, with the alarm
    [InlineData(90, 100, DecisionKind.BecomeStandby)] // the peer is preferred: this node releases at once
    public void ActiveSeesTheInterlockAsserted_WithThePeerUnheard_ThePreferredNodeHoldsAndTheOtherReleases(byte ours, byte peers, DecisionKind expected)
    {
        // Before: the interlock input was never read while active, so with one-way heartbeat loss both drove.
        var h = new RoleHarness(nodeId: 1, priority: ours, interlockWired: true) { PeerPriority = peers, PeerRole = Role.Standby };
        h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);
        if (h.Machine.Role != Role.Active)
        {
            h.PeerRole = Role.Maintenance; // make this node the active one whatever the priorities
            h.Run(3 * T, RoleHarness.BothLinks);
        }

        Assert.Equal(Role.Active, h.Machine.Role);
        h.PeerRole = Role.Standby;
        h.Run(T + RoleHarness.Interval, RoleHarness.NoLinks); // both links silent: the peer's epoch is not known now

        var decision = h.Step(RoleHarness.Interval, RoleHarness.NoLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(expected, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.DualActive) || expected == DecisionKind.BecomeStandby);
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.DualActive && a.Raised);
    }

    [Theory]
    [InlineData(true, DecisionKind.BecomeStandby)] // the peer's epoch is newer: it wins though this node is preferred
    [InlineData(false, DecisionKind.None)]         // the peer's epoch is older: this node wins though not preferred
    public void ActiveSeesTheInterlockAsserted_WithThePeerHeard_TheEpochRuleDecides(bool peerNewer, DecisionKind expected)
    {
        // Before: preference alone decided, even with the peer's epoch in its frames: a node that was not preferred
        // released beside a heard standby whose line read high at an older epoch (a stuck line), leaving nobody driving.
        var h = new RoleHarness(nodeId: 1, priority: peerNewer ? (byte)200 : (byte)50, interlockWired: true) { PeerPriority = 100, PeerRole = Role.Standby };
        h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);
        if (h.Machine.Role != Role.Active)
        {
            h.PeerRole = Role.Maintenance;
            h.Run(3 * T, RoleHarness.BothLinks);
        }

        Assert.Equal(Role.Active, h.Machine.Role);
        h.PeerRole = Role.Standby;
        h.PeerEpoch = peerNewer ? RoleOptions.NextEpoch(h.Machine.Epoch, 2) : 2;
        h.Run(RoleHarness.Interval, RoleHarness.BothLinks);

        var decision = h.Step(RoleHarness.Interval, RoleHarness.BothLinks, interlock: InterlockInput.PeerDriving);

        Assert.Equal(expected, decision.Kind);
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.DualActive && a.Raised && a.Text.Contains("epoch rule", StringComparison.Ordinal));
    }

    [Fact]
    public void StaleUnverifiedActiveClaim_OlderThanWhatThePeerSaidSince_IsNoDualActive()
    {
        // Before: after a switchover the new active raised DualActive on a frame the old active sent before it handed
        // over, arriving late (the serial link is slower than UDP) and no longer echoing: the peer had said Standby since.
        var h = RoleHarness.SoloActive(nodeId: 1);
        h.PeerRole = Role.Active;
        h.PeerEpoch = 2;
        var stale = h.NextPeerFrame(); // sent first, while the peer was still active
        h.PeerRole = Role.Standby;
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks); // newer frames, verified: the peer is standby

        h.Machine.OnUnverifiedFrame(0, stale, h.Time.GetTimestamp());
        var decision = h.Step(TimeSpan.FromMilliseconds(1), RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.False(h.IsRaised(AlarmKind.DualActive), "a claim older than the peer's newer frames is no dual active");

        // A claim newer than anything verified still counts (right after a heal the peer's frames do not echo ours yet).
        h.PeerRole = Role.Active;
        h.PeerSendsUnverified(RoleHarness.BothLinks);
        h.Evaluate();
        Assert.True(h.IsRaised(AlarmKind.DualActive));
    }

    [Fact]
    public void ProvenDuplicateNodeId_FaultsTheNodeWithAnAlarmNamingTheId()
    {
        // Before: two nodes with one id were both Active at the same epoch, with only a drop counter to show it.
        var h = RoleHarness.SoloActive(nodeId: 1);
        var duplicate = h.NextPeerFrame() with { NodeId = 1, Role = Role.Active };

        h.Machine.OnDuplicateNode(duplicate);
        var decision = h.Evaluate();

        Assert.Equal(DecisionKind.BecomeFaulted, decision.Kind);
        Assert.Contains("another node uses node id 1", decision.Reason, StringComparison.Ordinal);
        Assert.True(h.IsRaised(AlarmKind.DuplicateNodeId));
        Assert.Equal(DecisionKind.None, h.Run(3 * T, RoleHarness.NoLinks).Kind);
        Assert.Equal(Role.Faulted, h.Machine.Role);
        Assert.Equal(DecisionKind.None, h.Machine.OnFaultCleared("the disk has room again").Kind); // not this fault
        Assert.Equal(Role.Faulted, h.Machine.Role);
    }

    [Theory]
    [InlineData(ForeignFrameKind.BadTag, "fail authentication: pair key mismatch?")]
    [InlineData(ForeignFrameKind.OtherPair, "carry pair id 8, this node's is 7: pair id mismatch?")]
    [InlineData(ForeignFrameKind.OtherVersion, "speak heartbeat version 8, this node speaks 3")] // a peer on another release
    public void StreamOfMisconfiguredFrames_HoldsSoloStartWithAnAlarmSayingWhatArrives(ForeignFrameKind kind, string text)
    {
        // Before: "no peer heard" while 50 frames a second of a misconfigured peer arrived, and a solo start.
        var h = new RoleHarness(soloStart: true);

        var decision = h.RunWith(RoleHarness.StartupWindow + (5 * RoleHarness.Interval),
            () => h.Machine.OnForeignFrames(RoleHarness.Udp, kind, 1, h.Time.GetTimestamp(), 8));

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Starting, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.MisconfiguredPeer));
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.MisconfiguredPeer && a.Text.Contains(text, StringComparison.Ordinal) && a.Text.Contains("udp", StringComparison.Ordinal));
        Assert.False(h.IsRaised(AlarmKind.WaitingForPeer));
    }

    [Fact]
    public void StreamOfMisconfiguredFrames_HoldsTheTakeoverOnSilence_UntilItStops()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        var held = h.RunWith(3 * T, () => h.Machine.OnForeignFrames(RoleHarness.Serial, ForeignFrameKind.BadTag, 1, h.Time.GetTimestamp(), 0));
        var saidSilent = h.IsRaised(AlarmKind.PeerLost);
        var afterwards = h.Run(T + RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, held.Kind);
        Assert.False(saidSilent);
        Assert.True(h.IsRaised(AlarmKind.MisconfiguredPeer) || h.Alarms.Any(a => a.Kind == AlarmKind.MisconfiguredPeer && a.Raised));
        Assert.Equal(DecisionKind.BecomeActive, afterwards.Kind);
    }

    [Fact]
    public void OneStrayBadFrame_HoldsNothing()
    {
        var h = new RoleHarness(soloStart: true);
        h.Time.Advance(RoleHarness.Interval);
        h.Machine.OnForeignFrames(RoleHarness.Udp, ForeignFrameKind.BadTag, 1, h.Time.GetTimestamp(), 0);

        var decision = h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
    }

    [Theory]
    [InlineData(40_000u, true)]  // three of the peer's 40 ms intervals do not fit in a 100 ms timeout
    [InlineData(30_000u, false)]
    public void PeerIntervalThatDoesNotFitOurTimeout_RaisesAnAlarmNamingBothValues(uint peerIntervalMicros, bool raised)
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.PeerIntervalMicros = peerIntervalMicros;

        h.Run(2 * RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.Equal(raised, h.IsRaised(AlarmKind.IntervalMismatch));
        if (raised)
        {
            Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.IntervalMismatch && a.Text.Contains("every 40 ms", StringComparison.Ordinal) && a.Text.Contains("100 ms", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void NodeThatFlaps_HasItsTakeoversHeld_StepDownsNever()
    {
        // A starved box: each stall makes the active release; each return makes it take over again (6 a second seen).
        var h = RoleHarness.SoloActive();
        var takeovers = 1;
        var stepDowns = 0;
        for (var i = 0; i < 12; i++)
        {
            h.Time.Advance(T + RoleHarness.Interval); // the engine stood still past the lease
            if (h.Evaluate().Kind == DecisionKind.BecomeStandby)
            {
                stepDowns++;
            }

            if (h.Run(T + (2 * RoleHarness.Interval), RoleHarness.NoLinks).Kind == DecisionKind.BecomeActive)
            {
                takeovers++;
            }
        }

        Assert.Equal(3, takeovers); // 6 changes within 10 s: the 7th, a takeover, is held
        Assert.Equal(3, stepDowns);
        Assert.True(h.IsRaised(AlarmKind.RoleChangesLimited));
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.RoleChangesLimited && a.Text.Contains("6 role changes within 10 s", StringComparison.Ordinal));
    }
}
