using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Active: the epoch rule against an active peer, and the lease rule against its own stalls.</summary>
public sealed class RoleStateMachineActiveTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    // This node (id 5) went active solo from persisted epoch 5: epoch 261 (256 + 5).
    [Theory]
    [InlineData(521UL, (byte)9, (byte)1, true)]    // higher epoch (512 + 9, a later generation) wins whatever the tie-break
    [InlineData(262UL, (byte)9, (byte)1, true)]    // higher epoch in the same generation also wins
    [InlineData(261UL, (byte)9, (byte)200, true)]  // equal epoch, peer has higher priority
    [InlineData(261UL, (byte)3, (byte)100, true)]  // equal epoch and priority, peer has lower id
    [InlineData(261UL, (byte)7, (byte)100, false)] // equal epoch and priority, peer has higher id
    [InlineData(261UL, (byte)3, (byte)50, false)]  // equal epoch, peer has lower priority
    [InlineData(259UL, (byte)3, (byte)200, false)] // lower epoch (same generation, 256 + 3) loses whatever the tie-break
    [InlineData(5UL, (byte)3, (byte)200, false)]   // lower epoch (the basis this node took over from) loses
    [InlineData(0UL, (byte)1, (byte)255, false)]
    public void ActiveHearsActivePeer_StepsDownOnlyWhenPeerWins(ulong peerEpoch, byte peerId, byte peerPriority, bool stepsDown)
    {
        var h = RoleHarness.SoloActive(nodeId: 5, priority: 100, persistedEpoch: 5);
        Assert.Equal(261UL, h.Machine.Epoch);
        h.PeerId = peerId;
        h.PeerPriority = peerPriority;
        h.PeerRole = Role.Active;
        h.PeerEpoch = peerEpoch;

        var decision = h.Run(10 * T, RoleHarness.BothLinks);

        Assert.Equal(stepsDown ? DecisionKind.BecomeStandby : DecisionKind.None, decision.Kind);
        Assert.Equal(stepsDown ? Role.Standby : Role.Active, h.Machine.Role);
        Assert.Equal(261UL, h.Machine.Epoch);
    }

    [Fact]
    public void ActiveHearsActivePeerWithHigherEpoch_StepsDownAtFirstFrame()
    {
        var h = RoleHarness.SoloActive(nodeId: 1, persistedEpoch: 5);
        Assert.Equal(257UL, h.Machine.Epoch);
        h.PeerRole = Role.Active;
        h.PeerEpoch = 514; // node 2 took over from 257

        var decision = h.Step(Ms, [RoleHarness.Serial]);

        Assert.Equal(DecisionKind.BecomeStandby, decision.Kind);
        Assert.Equal(Role.Active, decision.From);
        Assert.Equal(257UL, decision.Epoch);
        Assert.Contains("epoch 514", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Role.Standby)]
    [InlineData(Role.Starting)]
    [InlineData(Role.Faulted)]
    public void ActiveHearsNonActivePeer_StaysActive(Role peerRole)
    {
        var h = RoleHarness.SoloActive(nodeId: 9, priority: 1);
        h.PeerId = 1;
        h.PeerPriority = 255;
        h.PeerRole = peerRole;
        h.PeerEpoch = 1000;

        var decision = h.Run(10 * T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void ActivePeerSilent_ActiveStaysActive()
    {
        var h = ActiveWithStandbyPeer();

        var decision = h.Run(10 * T, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void Active_EvaluateGapJustUnderPeerTimeout_StaysActive()
    {
        var h = ActiveWithStandbyPeer();

        h.Time.Advance(T - Ms);
        var decision = h.Evaluate();

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void Active_EvaluateGapLongerThanPeerTimeout_StepsDownSayingStalled()
    {
        var h = ActiveWithStandbyPeer();
        var epoch = h.Machine.Epoch;

        h.Time.Advance(T + (50 * Ms));
        var decision = h.Evaluate();

        Assert.Equal(DecisionKind.BecomeStandby, decision.Kind);
        Assert.Equal(Role.Active, decision.From);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.Equal(epoch, h.Machine.Epoch);
        Assert.Contains("stalled", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StalledActiveSteppedDown_PeerSilent_NoTakeoverBeforeAFurtherPeerTimeout()
    {
        var h = ActiveWithStandbyPeer();
        h.Time.Advance(T + (50 * Ms));
        Assert.Equal(DecisionKind.BecomeStandby, h.Evaluate().Kind);

        var listening = h.Run(T - Ms, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, listening.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void StalledActiveSteppedDown_PeerStillSilentAfterAFurtherPeerTimeout_TakesOverAgain()
    {
        var h = ActiveWithStandbyPeer();
        Assert.Equal(257UL, h.Machine.Epoch);
        h.Time.Advance(T + (50 * Ms));
        h.Evaluate();
        h.Run(T - Ms, RoleHarness.NoLinks);

        var decision = h.Step(2 * Ms);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.Equal(513UL, decision.Epoch); // basis 257 (its own), node 1
        Assert.Equal(513UL, h.Machine.Epoch);
    }

    [Fact]
    public void StalledActiveSteppedDown_PeerTookOverMeanwhile_StaysStandby()
    {
        var h = ActiveWithStandbyPeer();
        h.Time.Advance(T + (50 * Ms));
        h.Evaluate();
        h.PeerRole = Role.Active;
        h.PeerEpoch = 514; // node 2 took over from our 257

        var decision = h.Run(10 * T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void StalledStandby_PeerSilentDuringStall_NoTakeoverBeforeAFurtherPeerTimeout()
    {
        var h = RoleHarness.StandbyWithActivePeer();

        h.Time.Advance(T + (50 * Ms));
        var afterStall = h.Evaluate();
        var listening = h.Run(T - Ms, RoleHarness.NoLinks);
        var after = h.Step(2 * Ms);

        Assert.Equal(DecisionKind.None, afterStall.Kind);
        Assert.Equal(DecisionKind.None, listening.Kind);
        Assert.Equal(DecisionKind.BecomeActive, after.Kind);
    }

    [Fact]
    public void Active_SendingHeartbeatsEveryInterval_StaysActive()
    {
        var h = ActiveWithStandbyPeer();
        h.SendsHeartbeats = true;

        var decision = h.Run(20 * T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void Active_LoopRunsButLastHeartbeatSentLongerThanPeerTimeoutAgo_StepsDownSayingStalled()
    {
        var h = ActiveWithStandbyPeer();
        h.Machine.OnHeartbeatSent(h.Time.GetTimestamp());

        var before = h.Run(T - Ms, RoleHarness.BothLinks);
        var after = h.Step(2 * Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, before.Kind);
        Assert.Equal(DecisionKind.BecomeStandby, after.Kind);
        Assert.Contains("stalled", after.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Active_LeaseMargin_StepsDownThatMuchBeforeThePeerTimeout()
    {
        var margin = TimeSpan.FromMilliseconds(30);
        var h = new RoleHarness(nodeId: 1, leaseMargin: margin) { PeerId = 2, PeerRole = Role.Starting, SendsHeartbeats = true };
        Assert.Equal(DecisionKind.BecomeActive, h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks).Kind);
        h.PeerRole = Role.Standby;
        h.SendsHeartbeats = false;

        var before = h.Run(T - margin - Ms, RoleHarness.BothLinks);
        var after = h.Step(2 * Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, before.Kind);
        Assert.Equal(DecisionKind.BecomeStandby, after.Kind);
    }

    [Fact]
    public void SteppedDownForUnsentHeartbeats_HeartbeatsResume_NoTakeoverBeforeAFurtherPeerTimeout()
    {
        var h = ActiveWithStandbyPeer();
        h.Machine.OnHeartbeatSent(h.Time.GetTimestamp());
        h.Run(T + Ms, RoleHarness.NoLinks);
        Assert.Equal(Role.Standby, h.Machine.Role);
        h.SendsHeartbeats = true;

        var listening = h.Run(T - (2 * Ms), RoleHarness.NoLinks);
        var after = h.Run(RoleHarness.Interval, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, listening.Kind);
        Assert.Equal(DecisionKind.BecomeActive, after.Kind);
    }

    [Fact]
    public void StalledSoloActiveWithoutPeer_AfterAFurtherPeerTimeout_BecomesActiveAgain()
    {
        var h = RoleHarness.SoloActive();
        h.Time.Advance(T + (50 * Ms));
        Assert.Equal(DecisionKind.BecomeStandby, h.Evaluate().Kind);

        var decision = h.Run(10 * T, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
    }

    [Fact]
    public void SoloActive_UntilNextDeadline_IsAtMostPeerTimeout()
    {
        var h = RoleHarness.SoloActive();

        var wait = h.Machine.UntilNextDeadline();

        Assert.InRange(wait, TimeSpan.Zero, T);
    }

    [Fact]
    public void Active_LocalFault_BecomesFaulted()
    {
        var h = RoleHarness.SoloActive();

        var decision = h.Machine.OnLocalFault("outputs failed");

        Assert.Equal(DecisionKind.BecomeFaulted, decision.Kind);
        Assert.Equal(Role.Active, decision.From);
        Assert.Equal(Role.Faulted, h.Machine.Role);
    }

    [Fact]
    public void Active_StopRequested_BecomesStopping()
    {
        var h = RoleHarness.SoloActive();

        var decision = h.Machine.OnStopRequested("systemd stop");

        Assert.Equal(DecisionKind.BecomeStopping, decision.Kind);
        Assert.Equal(Role.Active, decision.From);
        Assert.Equal(Role.Stopping, h.Machine.Role);
    }

    /// <summary>Node 1 became active at start-up (epoch 257: basis 5, node 1) over a starting node 2, which then announced Standby.</summary>
    private static RoleHarness ActiveWithStandbyPeer()
    {
        var h = new RoleHarness(nodeId: 1) { PeerId = 2, PeerRole = Role.Starting };
        Assert.Equal(DecisionKind.BecomeActive, h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks).Kind);
        h.PeerRole = Role.Standby;
        Assert.Equal(DecisionKind.None, h.Run(3 * T, RoleHarness.BothLinks).Kind);
        return h;
    }
}
