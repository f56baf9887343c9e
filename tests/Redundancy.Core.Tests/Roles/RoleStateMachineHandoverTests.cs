using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Graceful switchover in the role machine: the checks, the handover, and what happens when its frames are lost.</summary>
public sealed class RoleStateMachineHandoverTests
{
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    /// <summary>Node 1 active (preferred at start-up), node 2 a hot standby heard on both links.</summary>
    private static RoleHarness ActiveWithStandbyPeer()
    {
        var h = new RoleHarness(nodeId: 1, priority: 200, soloStart: false) { PeerRole = Role.Standby, PeerPriority = 100 };
        var d = h.Run(RoleHarness.StartupWindow + (4 * RoleHarness.Interval), RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        h.Run(RoleHarness.Interval * 2, RoleHarness.BothLinks);
        return h;
    }

    [Fact]
    public void HandOver_StepsDown_AnnouncesIt_UntilThePeerIsActive()
    {
        var h = ActiveWithStandbyPeer();
        var epoch = h.Machine.Epoch;
        Assert.Null(h.Machine.SwitchoverProblem(force: false));

        var d = h.Machine.HandOver(1000, force: false, "switchover by hand");

        Assert.Equal(DecisionKind.BecomeStandby, d.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.Machine.HandingOver);
        Assert.Equal(1000, h.Machine.HandoverUid);
        Assert.True((h.Machine.LinkHealth & HealthFlags.HandingOver) != 0);
        Assert.False((h.Machine.LinkHealth & HealthFlags.HandoverForced) != 0);

        h.PeerRole = Role.Active;
        h.PeerEpoch = RoleOptions.NextEpoch(epoch, 2);
        Assert.Equal(DecisionKind.None, h.Step(RoleHarness.Interval, RoleHarness.BothLinks).Kind);

        Assert.False(h.Machine.HandingOver);
        Assert.Equal(-1, h.Machine.HandoverUid);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void HandoverNotConfirmed_PeerStillStandby_TheOldActiveResumesAfterTheTimeout_NotBefore()
    {
        var h = ActiveWithStandbyPeer();
        var epoch = h.Machine.Epoch;
        h.Machine.HandOver(1000, force: false, "switchover by hand");

        // The peer keeps announcing Standby (it heard none of the handover frames, or refused): no other rule fires.
        var before = h.Run(h.Machine.HandoverTimeout - RoleHarness.Interval, RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.None, before.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);

        var d = h.Run(RoleHarness.Interval * 2, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        Assert.Contains("not confirmed", d.Reason, StringComparison.Ordinal);
        Assert.True(h.Machine.Epoch > epoch);
        Assert.False(h.Machine.HandingOver);
    }

    [Fact]
    public void HandoverAnnouncedLate_TheTimeoutCountsFromTheAnnouncement()
    {
        var h = ActiveWithStandbyPeer();
        h.Machine.HandOver(1000, force: false, "switchover by hand");

        // The announcement waited one peer timeout for a slow effect: the peer has had no chance yet.
        h.Run(T, RoleHarness.BothLinks);
        h.Machine.HandoverAnnounced();
        var within = h.Run(h.Machine.HandoverTimeout - RoleHarness.Interval, RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.None, within.Kind);
        Assert.True(h.Machine.HandingOver);

        var d = h.Run(RoleHarness.Interval * 2, RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        Assert.Contains("not confirmed", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StandbyHearsTheHandover_TakesOverAtOnce_NamingTheCaller()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.LocalApplied = 42;
        h.PeerRole = Role.Standby;
        h.PeerHealth = HealthFlags.HandingOver;
        h.PeerLastApplied = 42;
        h.PeerHandoverUid = 1000;

        var d = h.Step(TimeSpan.FromMilliseconds(1), RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        Assert.Contains("uid 1000", d.Reason, StringComparison.Ordinal);
        Assert.StartsWith("switchover:", d.Reason, StringComparison.Ordinal);
        Assert.True(h.Machine.Epoch > h.PeerEpoch);
    }

    [Fact]
    public void StandbyLackingChanges_RefusesTheHandover_WithAnAlarm_UnlessForced()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.LocalApplied = 40;
        h.PeerRole = Role.Standby;
        h.PeerHealth = HealthFlags.HandingOver;
        h.PeerLastApplied = 42;

        var refused = h.Run(T, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, refused.Kind);
        Assert.True(h.IsRaised(AlarmKind.HandoverRefused, "peer"));

        h.PeerHealth = HealthFlags.HandingOver | HealthFlags.HandoverForced;
        var forced = h.Step(RoleHarness.Interval, RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.BecomeActive, forced.Kind);
        Assert.Contains("forced", forced.Reason, StringComparison.Ordinal);
        Assert.False(h.IsRaised(AlarmKind.HandoverRefused, "peer"));
    }

    [Fact]
    public void HandoverFramesAllLost_TheStandbyTakesOverByTheSilenceRule()
    {
        // What the standby sees when every frame of the old active after its step-down is lost: silence, then the
        // ordinary rule. (The old active, meanwhile, hears it active and stays standby: the test above.)
        var h = RoleHarness.StandbyWithActivePeer();

        var d = h.Run(T * 2, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        Assert.Contains("silent on all links", d.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("warm", false)]
    [InlineData("maintenance", true)]
    [InlineData("absent", true)]
    public void SwitchoverRefused_WhenTheStandbyIsNotReady(string what, bool evenForced)
    {
        var h = ActiveWithStandbyPeer();
        switch (what)
        {
            case "warm":
                h.PeerReadiness = Readiness.Warm;
                h.Run(RoleHarness.Interval * 2, RoleHarness.BothLinks);
                break;
            case "maintenance":
                h.Machine.SetMaintenance(true);
                break;
            default:
                h.Run(T * 2, RoleHarness.NoLinks);
                break;
        }

        Assert.NotNull(h.Machine.SwitchoverProblem(force: false));
        Assert.Equal(DecisionKind.None, h.Machine.HandOver(1, force: false, "x").Kind);
        Assert.Equal(evenForced, h.Machine.SwitchoverProblem(force: true) is not null);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void ManySwitchovers_DoNotCountTowardsTheRateLimit()
    {
        var h = ActiveWithStandbyPeer();
        for (var i = 0; i < h.Options.RoleChangeLimit * 2; i++)
        {
            // Away: this node hands over and the peer takes over.
            Assert.Equal(DecisionKind.BecomeStandby, h.Machine.HandOver(1, false, "drill").Kind);
            h.PeerRole = Role.Active;
            h.PeerEpoch = RoleOptions.NextEpoch(Math.Max(h.PeerEpoch, h.Machine.Epoch), 2);
            h.PeerHealth = HealthFlags.None;
            h.Step(RoleHarness.Interval, RoleHarness.BothLinks);

            // Back: the peer hands over to this node.
            h.Machine.LocalApplied = 0;
            h.PeerRole = Role.Standby;
            h.PeerHealth = HealthFlags.HandingOver;
            var back = h.Step(RoleHarness.Interval, RoleHarness.BothLinks);
            Assert.Equal(DecisionKind.BecomeActive, back.Kind);
            h.PeerHealth = HealthFlags.None;
            h.Step(RoleHarness.Interval, RoleHarness.BothLinks);
        }

        Assert.False(h.IsRaised(AlarmKind.RoleChangesLimited, "peer"));

        // A real failure right after the drill is not held: the peer (active again) dies and this standby takes over.
        h.Machine.HandOver(1, false, "away once more");
        h.PeerRole = Role.Active;
        h.PeerEpoch = RoleOptions.NextEpoch(Math.Max(h.PeerEpoch, h.Machine.Epoch), 2);
        h.Step(RoleHarness.Interval, RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.BecomeActive, h.Run(T * 3, RoleHarness.NoLinks).Kind);
    }

    [Fact]
    public void StandbyAsksForAHandover_TheActiveTakesTheRequestOnce()
    {
        var standby = RoleHarness.StandbyWithActivePeer();
        Assert.Null(standby.Machine.RequestProblem(force: false, Readiness.Hot));
        Assert.NotNull(standby.Machine.RequestProblem(force: false, Readiness.Warm));
        Assert.True(standby.Machine.RequestHandover(1000, force: false, Readiness.Hot));
        Assert.True((standby.Machine.LinkHealth & HealthFlags.RequestsHandover) != 0);
        Assert.Equal(1000, standby.Machine.HandoverUid);

        var active = ActiveWithStandbyPeer();
        active.PeerHealth = HealthFlags.RequestsHandover;
        active.PeerHandoverUid = 1000;
        active.Step(RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.True(active.Machine.TakeHandoverRequest(out var uid, out var force));
        Assert.Equal(1000, uid);
        Assert.False(force);
        active.Step(RoleHarness.Interval, RoleHarness.BothLinks);
        Assert.False(active.Machine.TakeHandoverRequest(out _, out _)); // once per request
    }

    [Fact]
    public void RequestExpires_AfterItsTimeout()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.RequestHandover(1, force: false, Readiness.Hot);

        h.Run(RoleStateMachine.RequestTimeout + RoleHarness.Interval, RoleHarness.BothLinks);

        Assert.False(h.Machine.RequestingHandover);
        Assert.Equal(0, (int)(h.Machine.LinkHealth & HealthFlags.RequestsHandover));
    }
}
