using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>A node whose local fault went away by itself (a disk with room again) rejoins as standby.</summary>
public sealed class RoleStateMachineRecoveryTests
{
    [Fact]
    public void FaultedThenCleared_BecomesStandby_WithTheReason()
    {
        var h = RoleHarness.SoloActive();
        h.Machine.OnLocalFault("storage: disk full");

        var decision = h.Machine.OnFaultCleared("storage works again");

        Assert.Equal(DecisionKind.BecomeStandby, decision.Kind);
        Assert.Equal(Role.Faulted, decision.From);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.Contains("storage works again", decision.Reason);
    }

    [Fact]
    public void ClearedWhileTheActivePeerIsHeard_StaysStandby()
    {
        var h = RoleHarness.SoloActive();
        h.Machine.OnLocalFault("storage: disk full");
        h.PeerRole = Role.Active;
        h.PeerEpoch = 9;

        h.Machine.OnFaultCleared("storage works again");
        var decision = h.Run(RoleHarness.PeerTimeout * 3, RoleHarness.BothLinks);

        Assert.False(decision.IsChange);
        Assert.Equal(Role.Standby, h.Machine.Role);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ClearedWhenNotFaulted_ChangesNothing(bool active)
    {
        var h = active ? RoleHarness.SoloActive() : RoleHarness.StandbyWithActivePeer();
        var before = h.Machine.Role;

        var decision = h.Machine.OnFaultCleared("storage works again");

        Assert.False(decision.IsChange);
        Assert.Equal(before, h.Machine.Role);
    }
}
