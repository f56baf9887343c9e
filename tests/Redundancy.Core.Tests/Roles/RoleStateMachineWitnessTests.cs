using Redundancy.Core.Roles;
using Redundancy.Core.Witness;

namespace Redundancy.Core.Tests.Roles;

/// <summary>The witness's rules in the role machine: no takeover on silence without the lease; an active releases when
/// the witness gave the lease away, and does as configured when cut off from both.</summary>
public sealed class RoleStateMachineWitnessTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    [Fact]
    public void Standby_PeerSilent_NoLease_DoesNotTakeOver_AlarmSaysTheWitnessDoesNotAnswer()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Lease);

        var decision = h.Run(T * 3, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.WitnessBlocksTakeover, "witness"));
        Assert.Contains("does not answer", h.Alarms.Last(a => a.Kind == AlarmKind.WitnessBlocksTakeover).Text);
    }

    [Fact]
    public void Standby_PeerSilent_WitnessNamesThePeerAsHolder_DoesNotTakeOver_NamingIt()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Lease);

        var decision = h.RunWith(T * 3, () => h.Machine.OnWitness(new WitnessView(0, 2, h.Time.GetTimestamp())));

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Contains("node 2 holds the lease", h.Alarms.Last(a => a.Kind == AlarmKind.WitnessBlocksTakeover).Text);
    }

    [Fact]
    public void Standby_PeerSilent_LeaseGranted_TakesOver_Fenced_AndTheAlarmClears()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Lease);
        h.Run(T * 2, RoleHarness.NoLinks);
        Assert.True(h.IsRaised(AlarmKind.WitnessBlocksTakeover, "witness"));

        h.Machine.OnWitness(new WitnessView(h.Time.GetTimestamp() + Ticks(h, Lease), 1, h.Time.GetTimestamp()));
        var decision = h.Step(Ms);

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.False(decision.Unfenced); // the lease proves the other node is not allowed to drive: no herald and hold
        Assert.False(h.IsRaised(AlarmKind.WitnessBlocksTakeover, "witness"));
        Assert.False(h.IsRaised(AlarmKind.UnfencedTakeover));
    }

    [Fact]
    public void WhoAsksForTheLease_TheActiveAlways_AStandbyOnlyOnceThePeerFallsSilent()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Lease);
        var whileHeard = h.Machine.WantsWitnessLease;
        h.Run(T / 2 + Ms, RoleHarness.NoLinks);
        var whileSilent = h.Machine.WantsWitnessLease;
        var active = Active();

        Assert.False(whileHeard);
        Assert.True(whileSilent);
        Assert.True(active.Machine.WantsWitnessLease);
        Assert.False(new RoleHarness().Machine.WantsWitnessLease); // no witness configured
    }

    [Fact]
    public void Active_PeerSilent_WitnessGaveTheLeaseToTheOther_ReleasesAtOnce()
    {
        var h = Active();

        var decision = h.RunWith(T * 2, () => h.Machine.OnWitness(new WitnessView(0, 2, h.Time.GetTimestamp())));

        Assert.Equal(DecisionKind.BecomeStandby, decision.Kind);
        Assert.Contains("granted the lease to the other node", decision.Reason);
    }

    [Fact]
    public void Active_PeerSilent_ItRenewsTheLease_KeepsDriving()
    {
        var h = Active();

        var decision = h.RunWith(T * 5, () => h.Machine.OnWitness(new WitnessView(h.Time.GetTimestamp() + Ticks(h, Lease), 1, h.Time.GetTimestamp())));

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Theory]
    [InlineData(true, DecisionKind.BecomeStandby)]
    [InlineData(false, DecisionKind.None)]
    public void Active_CutOffFromPeerAndWitness_PastItsLease_DoesAsConfigured(bool release, DecisionKind expected)
    {
        var h = Active(releaseWhenIsolated: release);
        var lastAnswer = h.Time.GetTimestamp();
        h.Machine.OnWitness(new WitnessView(lastAnswer + Ticks(h, Lease), 1, lastAnswer));
        var withinLease = h.Run(Lease - (2 * Ms), RoleHarness.NoLinks);

        var after = h.Run(T * 3, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, withinLease.Kind);
        Assert.Equal(expected, after.Kind);
        Assert.True(h.IsRaised(AlarmKind.WitnessLost, "witness") || expected == DecisionKind.BecomeStandby);
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.WitnessLost && a.Raised);
    }

    [Fact]
    public void Active_CutOffFromPeerAndWitness_WithRelease_ReleasesAtHalfThePeerTimeout_BeforeAStandbyCouldTakeOver()
    {
        // The witness has not answered this active for long (it may be answering the standby, which asks from half the
        // timeout on and takes over with the lease at the full timeout): releasing at the timeout would race it.
        var h = Active(releaseWhenIsolated: true);
        h.RunWith(Lease * 3, () => h.PeerSends(RoleHarness.BothLinks));
        var lastFrame = h.Time.GetTimestamp();

        var before = h.Run(T / 2 - (5 * Ms), RoleHarness.NoLinks);
        var at = h.Run(T / 2, RoleHarness.NoLinks);
        var silence = h.Time.GetElapsedTime(lastFrame, h.Time.GetTimestamp());

        Assert.Equal(DecisionKind.None, before.Kind);
        Assert.Equal(DecisionKind.BecomeStandby, at.Kind);
        Assert.InRange(silence, T / 2, T - Ms);
        Assert.True(h.IsRaised(AlarmKind.WitnessLost, "witness"));
    }

    [Fact]
    public void Active_CutOffFromThePeer_WithRelease_ButHoldingTheLease_KeepsDriving()
    {
        var h = Active(releaseWhenIsolated: true);

        var decision = h.RunWith(T * 5, () => h.Machine.OnWitness(new WitnessView(h.Time.GetTimestamp() + Ticks(h, Lease), 1, h.Time.GetTimestamp())));

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void Active_WitnessDown_WhileThePairIsHealthy_AlarmOnly_AndItClearsWhenTheWitnessAnswers()
    {
        var h = Active();

        var down = h.RunWith(Lease * 4, () => h.PeerSends(RoleHarness.BothLinks));
        var raised = h.IsRaised(AlarmKind.WitnessUnreachable, "witness");
        h.Machine.OnWitness(new WitnessView(h.Time.GetTimestamp() + Ticks(h, Lease), 1, h.Time.GetTimestamp()));
        h.Step(Ms, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, down.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
        Assert.True(raised);
        Assert.False(h.IsRaised(AlarmKind.WitnessUnreachable, "witness"));
    }

    [Fact]
    public void Active_WitnessMissesUnderTwoLeases_NoAlarm_PastTwoLeases_Alarm()
    {
        var h = Active();
        h.RunWith(Lease * 3, () =>
        {
            h.PeerSends(RoleHarness.BothLinks);
            h.Machine.OnWitness(new WitnessView(h.Time.GetTimestamp() + Ticks(h, Lease), 1, h.Time.GetTimestamp()));
        });

        h.RunWith(Lease * 2 - (5 * Ms), () => h.PeerSends(RoleHarness.BothLinks)); // a gap of not quite two leases
        var afterGap = h.IsRaised(AlarmKind.WitnessUnreachable, "witness");
        h.RunWith(Lease, () => h.PeerSends(RoleHarness.BothLinks));

        Assert.False(afterGap);
        Assert.True(h.IsRaised(AlarmKind.WitnessUnreachable, "witness"));
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void Active_PeerHeard_TheWitnessChangesNothing()
    {
        var h = Active();

        var decision = h.RunWith(T * 3, () =>
        {
            h.PeerSends(RoleHarness.BothLinks);
            h.Machine.OnWitness(new WitnessView(0, 2, h.Time.GetTimestamp()));
        });

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void ReleasedWhenIsolated_WitnessLostClearsWhenThePeerIsHeardAgain()
    {
        // Before: WitnessLost was judged only while active, so the node that released kept it after the links came back.
        var h = Active(releaseWhenIsolated: true);
        h.RunWith(Lease * 3, () => h.PeerSends(RoleHarness.BothLinks));
        Assert.Equal(DecisionKind.BecomeStandby, h.Run(T, RoleHarness.NoLinks).Kind);
        Assert.True(h.IsRaised(AlarmKind.WitnessLost, "witness"));
        h.Run(T, RoleHarness.NoLinks);
        Assert.True(h.IsRaised(AlarmKind.WitnessLost, "witness"), "still cut off from both: the alarm stands");

        h.PeerRole = Role.Active;
        h.PeerEpoch = RoleOptions.NextEpoch(h.Machine.Epoch, 2);
        h.Run(RoleHarness.Interval * 2, RoleHarness.BothLinks);

        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.False(h.IsRaised(AlarmKind.WitnessLost, "witness"));
    }

    /// <summary>Node 1, preferred, active after a pair formed with standby node 2 (heard on both links); witness on.</summary>
    private static RoleHarness Active(bool releaseWhenIsolated = false)
    {
        var h = new RoleHarness(nodeId: 1, priority: 200, witnessLease: Lease, releaseWhenIsolated: releaseWhenIsolated)
        {
            PeerId = 2,
            PeerPriority = 1,
            PeerRole = Role.Standby,
            SendsHeartbeats = true,
        };
        var d = h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks);
        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        return h;
    }

    private static long Ticks(RoleHarness h, TimeSpan span) => (long)(span.TotalSeconds * h.Time.TimestampFrequency);
}
