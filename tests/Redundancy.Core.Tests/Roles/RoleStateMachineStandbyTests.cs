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
}
