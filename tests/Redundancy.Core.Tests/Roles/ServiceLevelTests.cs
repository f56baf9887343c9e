using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

public sealed class ServiceLevelTests
{
    [Theory]
    [InlineData(Role.Active, Readiness.Hot, Role.Standby, Readiness.Hot, 255, "primary-with-backup")]
    [InlineData(Role.Active, Readiness.Hot, Role.Standby, Readiness.Warm, 230, "primary-only")]
    [InlineData(Role.Active, Readiness.Hot, null, Readiness.NotReady, 230, "primary-only")]
    [InlineData(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot, 200, "backup-ready")]
    [InlineData(Role.Standby, Readiness.Warm, Role.Active, Readiness.Hot, 150, "backup-not-ready")]
    [InlineData(Role.Standby, Readiness.NotReady, Role.Active, Readiness.Hot, 1, "backup-not-ready")]
    [InlineData(Role.Starting, Readiness.NotReady, null, Readiness.NotReady, 1, "backup-not-ready")]
    [InlineData(Role.Maintenance, Readiness.Hot, Role.Active, Readiness.Hot, 0, "backup-not-ready")]
    [InlineData(Role.Faulted, Readiness.NotReady, Role.Active, Readiness.Hot, 1, "backup-not-ready")]
    [InlineData(Role.Stopping, Readiness.Hot, null, Readiness.NotReady, 1, "backup-not-ready")]
    public void Level_AndMode_FollowRoleReadinessAndPeer(Role role, Readiness readiness, Role? peer, Readiness peerReadiness, int level, string mode)
    {
        var s = ServiceLevel.Of(role, readiness, peer, peerReadiness);
        Assert.Equal(level, s.Level);
        Assert.Equal(mode, s.ModeName);
    }

    [Fact]
    public void Levels_FallInTheOpcUaRanges_HealthyAbove200_DegradedBelow()
    {
        Assert.InRange(ServiceLevel.Of(Role.Active, Readiness.Hot, null, Readiness.NotReady).Level, 200, 255);
        Assert.InRange(ServiceLevel.Of(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot).Level, 200, 255);
        Assert.InRange(ServiceLevel.Of(Role.Standby, Readiness.Warm, Role.Active, Readiness.Hot).Level, 2, 199);

        // The active is always the higher of the pair: a client picking the highest picks the active.
        Assert.True(ServiceLevel.Of(Role.Active, Readiness.Hot, null, Readiness.NotReady, linksDown: 2).Level
            > ServiceLevel.Of(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot).Level);
    }

    [Fact]
    public void EachLinkDown_TakesTen_AndNeverReachesNoData()
    {
        Assert.Equal(245, ServiceLevel.Of(Role.Active, Readiness.Hot, Role.Standby, Readiness.Hot, linksDown: 1).Level);
        Assert.Equal(180, ServiceLevel.Of(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot, linksDown: 2).Level);
        Assert.Equal(2, ServiceLevel.Of(Role.Standby, Readiness.Warm, Role.Active, Readiness.Hot, linksDown: 100).Level);
    }

    [Fact]
    public void PairInMaintenance_IsLevel0_OnBothNodes()
    {
        Assert.Equal(new ServiceLevel(0, RedundancyMode.PrimaryOnly), ServiceLevel.Of(Role.Active, Readiness.Hot, Role.Standby, Readiness.Hot, maintenance: true));
        Assert.Equal(new ServiceLevel(0, RedundancyMode.BackupNotReady), ServiceLevel.Of(Role.Standby, Readiness.Hot, Role.Active, Readiness.Hot, maintenance: true));
    }
}
