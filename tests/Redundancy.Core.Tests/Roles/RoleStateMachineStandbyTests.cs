using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Standby: announcements, the takeover epoch, two standbys, local faults and stopping.</summary>
public sealed class RoleStateMachineStandbyTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

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
    [InlineData(5UL, 9UL, (byte)1, 257UL)]       // peer's epoch higher
    [InlineData(12UL, 9UL, (byte)1, 257UL)]      // own epoch higher
    [InlineData(7UL, 7UL, (byte)1, 257UL)]       // equal
    [InlineData(0UL, 0UL, (byte)1, 257UL)]       // nothing yet
    [InlineData(5UL, 300UL, (byte)1, 513UL)]     // peer's epoch higher, in a later generation: the peer's counts
    [InlineData(300UL, 9UL, (byte)1, 513UL)]     // own epoch higher, in a later generation: its own counts
    [InlineData(5UL, 257UL, (byte)2, 514UL)]     // node 2 takes over from node 1's epoch 257
    [InlineData(514UL, 257UL, (byte)1, 769UL)]   // node 1 takes over again from node 2's 514
    [InlineData(5UL, 255UL, (byte)1, 257UL)]     // basis low bits 255: next generation, node id unchanged
    [InlineData(256UL, 0UL, (byte)1, 513UL)]     // basis an exact multiple of 256: still above it
    public void Takeover_EpochIsNextMultipleOf256AboveMaxOfOwnAndPeer_WithNodeIdInLowByte(ulong own, ulong peer, byte nodeId, ulong expected)
    {
        var h = RoleHarness.StandbyWithActivePeer(nodeId: nodeId, peerId: nodeId == 1 ? (byte)2 : (byte)1, persistedEpoch: own, peerEpoch: peer);
        h.PeerRole = Role.Stopping;

        var decision = h.Step(Ms, RoleHarness.BothLinks);

        Assert.Equal(expected, decision.Epoch);
        Assert.Equal(expected, h.Machine.Epoch);
    }

    [Theory]
    [InlineData(3UL, 40UL, 257UL)]
    [InlineData(3UL, 300UL, 513UL)]  // the silent peer's last heard epoch counts
    [InlineData(300UL, 40UL, 513UL)] // so does its own
    public void Takeover_AfterSilence_EpochIsNextMultipleOf256AboveMaxOfOwnAndLastHeardPeer_WithNodeIdInLowByte(ulong own, ulong peer, ulong expected)
    {
        var h = RoleHarness.StandbyWithActivePeer(persistedEpoch: own, peerEpoch: peer);

        var decision = h.Run(2 * T, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.Equal(expected, decision.Epoch);
        Assert.Equal(expected, h.Machine.Epoch);
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
}
