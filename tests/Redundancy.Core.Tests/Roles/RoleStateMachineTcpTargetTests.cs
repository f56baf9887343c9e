using Redundancy.Core.Roles;
using Redundancy.Core.Witness;

namespace Redundancy.Core.Tests.Roles;

/// <summary>The lighter witness, a TCP target (a reachability check, no lease): a standby whose peer is silent takes
/// over only when it reached the target after the peer fell silent, and unfenced; an active that reaches neither its peer
/// nor the target does as <c>onIsolation</c> says.</summary>
public sealed class RoleStateMachineTcpTargetTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(40); // two connect timeouts of 20 ms
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    [Fact]
    public void Standby_PeerSilent_TargetNotReached_DoesNotTakeOver_SayingWhy()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Window, witnessTcpTarget: true);

        var decision = h.Run(T * 3, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.WitnessBlocksTakeover, "witness"));
        Assert.Contains("has not reached the TCP target", h.Alarms.Last(a => a.Kind == AlarmKind.WitnessBlocksTakeover).Text);
    }

    [Fact]
    public void Standby_PeerSilent_TargetReachedOnlyBeforeTheSilence_DoesNotTakeOver()
    {
        // A window longer than the silence (the configuration never makes one; the rule stands on its own): a
        // connection that began before the peer's last frame says nothing about who is cut off now.
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: T * 5, witnessTcpTarget: true);
        h.Step(Ms, RoleHarness.BothLinks);
        var reachedBefore = h.Time.GetTimestamp() - Ticks(h, Ms);
        h.Machine.OnWitness(new WitnessView(0, 0, reachedBefore));

        var decision = h.Run(T + (2 * Ms), RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Fact]
    public void Standby_PeerSilent_TargetReachedSinceTheSilence_TakesOver_Unfenced()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Window, witnessTcpTarget: true);

        var decision = h.RunWith(T * 3, () => h.Machine.OnWitness(new WitnessView(0, 0, h.Time.GetTimestamp())));

        Assert.Equal(DecisionKind.BecomeActive, decision.Kind);
        Assert.True(decision.Unfenced); // a reachable target says nothing about the peer: it may still drive
        Assert.True(h.IsRaised(AlarmKind.UnfencedTakeover));
        Assert.False(h.IsRaised(AlarmKind.WitnessBlocksTakeover, "witness"));
    }

    [Fact]
    public void Standby_PeerSilent_TargetReachedLongAgo_OutsideTheWindow_DoesNotTakeOver()
    {
        var h = RoleHarness.StandbyWithActivePeer(witnessLease: Window, witnessTcpTarget: true);
        h.Run(T / 2, RoleHarness.NoLinks);
        h.Machine.OnWitness(new WitnessView(0, 0, h.Time.GetTimestamp())); // after the silence began, then nothing more

        var decision = h.Run(T * 3, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.WitnessBlocksTakeover, "witness"));
    }

    [Theory]
    [InlineData(true, DecisionKind.BecomeStandby)]
    [InlineData(false, DecisionKind.None)]
    public void Active_ReachesNeitherPeerNorTarget_DoesAsOnIsolationSays(bool release, DecisionKind expected)
    {
        var h = Active(release);

        var decision = h.Run(T * 3, RoleHarness.NoLinks);

        Assert.Equal(expected, decision.Kind);
        Assert.Contains(h.Alarms, a => a.Kind == AlarmKind.WitnessLost && a.Raised);
    }

    [Fact]
    public void Active_PeerSilent_ReachesTheTarget_KeepsDriving_EvenWithRelease()
    {
        var h = Active(release: true);

        var decision = h.RunWith(T * 3, () => h.Machine.OnWitness(new WitnessView(0, 0, h.Time.GetTimestamp())));

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
    }

    [Fact]
    public void Active_TargetUnreachable_WithThePairHealthy_TheAlarmNamesTheTarget_NotALease()
    {
        // Before: the text spoke of the lease, which this mode does not have.
        var h = Active(release: false);

        var decision = h.Run(T * 3, RoleHarness.BothLinks);

        Assert.Equal(DecisionKind.None, decision.Kind);
        Assert.True(h.IsRaised(AlarmKind.WitnessUnreachable, "witness"));
        var text = h.Alarms.Last(a => a.Kind == AlarmKind.WitnessUnreachable).Text;
        Assert.Contains("TCP target", text, StringComparison.Ordinal);
        Assert.DoesNotContain("the lease", text, StringComparison.Ordinal);
    }

    private static RoleHarness Active(bool release)
    {
        var h = new RoleHarness(nodeId: 1, priority: 200, witnessLease: Window, releaseWhenIsolated: release, witnessTcpTarget: true)
        {
            PeerId = 2,
            PeerPriority = 1,
            PeerRole = Role.Standby,
            SendsHeartbeats = true,
        };
        Assert.Equal(DecisionKind.BecomeActive, h.Run(RoleHarness.StartupWindow + RoleHarness.Interval, RoleHarness.BothLinks).Kind);
        return h;
    }

    private static long Ticks(RoleHarness h, TimeSpan span) => (long)(span.TotalSeconds * h.Time.TimestampFrequency);
}
