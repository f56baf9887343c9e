using Redundancy.Core.Replication;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Hot, warm or not ready, as the standby reports itself.</summary>
public sealed class StandbyReadinessTests
{
    [Theory]
    [InlineData(true, false, 10UL, 10UL, Readiness.Hot)]
    [InlineData(true, false, 11UL, 10UL, Readiness.Hot)]
    [InlineData(true, false, 0UL, 0UL, Readiness.Hot)]
    [InlineData(true, false, 9UL, 10UL, Readiness.Warm)]
    [InlineData(true, true, 10UL, 10UL, Readiness.Warm)]
    [InlineData(true, true, 0UL, 10UL, Readiness.Warm)]
    [InlineData(false, false, 10UL, 10UL, Readiness.NotReady)]
    [InlineData(false, true, 0UL, 10UL, Readiness.NotReady)]
    public void ConnectionSnapshotAndPosition_GiveTheReadiness(bool connected, bool snapshot, ulong applied, ulong activeLast, Readiness expected)
    {
        Assert.Equal(expected, StandbyReadiness.Compute(connected, snapshot, applied, activeLast));
    }
}
