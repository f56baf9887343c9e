using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

public sealed class ServiceLevelTests
{
    [Theory]
    [InlineData(Role.Active, Readiness.Hot, Role.Standby, Readiness.Hot, 255, "primary-with-backup")]
    [InlineData(Role.Active, Readiness.Hot, Role.Standby, Readiness.Warm, 200, "primary-only")]
    [InlineData(Role.Active, Readiness.Hot, null, Readiness.NotReady, 200, "primary-only")]
    [InlineData(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot, 150, "backup-ready")]
    [InlineData(Role.Standby, Readiness.Warm, Role.Active, Readiness.Hot, 100, "backup-not-ready")]
    [InlineData(Role.Standby, Readiness.NotReady, Role.Active, Readiness.Hot, 50, "backup-not-ready")]
    [InlineData(Role.Maintenance, Readiness.Hot, Role.Active, Readiness.Hot, 0, "backup-not-ready")]
    [InlineData(Role.Faulted, Readiness.NotReady, Role.Active, Readiness.Hot, 0, "not-serving")]
    [InlineData(Role.Stopping, Readiness.Hot, null, Readiness.NotReady, 0, "not-serving")]
    public void Level_AndMode_FollowRoleReadinessAndPeer(Role role, Readiness readiness, Role? peer, Readiness peerReadiness, int level, string mode)
    {
        var s = ServiceLevel.Of(role, readiness, peer, peerReadiness);
        Assert.Equal(level, s.Level);
        Assert.Equal(mode, s.Mode);
    }

    [Fact]
    public void PairInMaintenance_IsLevel0_OnBothNodes()
    {
        Assert.Equal(new ServiceLevel(0, "primary-only"), ServiceLevel.Of(Role.Active, Readiness.Hot, Role.Standby, Readiness.Hot, maintenance: true));
        Assert.Equal(new ServiceLevel(0, "backup-not-ready"), ServiceLevel.Of(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot, maintenance: true));
    }
}
