using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Config names of the replication modes.</summary>
public sealed class ReplicationModeNamesTests
{
    [Theory]
    [InlineData("sync", ReplicationMode.Sync)]
    [InlineData("semi-sync", ReplicationMode.SemiSync)]
    [InlineData("async", ReplicationMode.Async)]
    public void ConfigName_ParsesAndPrintsBack(string name, ReplicationMode mode)
    {
        Assert.True(ReplicationModeNames.TryParse(name, out var parsed));
        Assert.Equal(mode, parsed);
        Assert.Equal(name, mode.ToConfigName());
    }

    [Theory]
    [InlineData("Sync")]
    [InlineData("semisync")]
    [InlineData("SemiSync")]
    [InlineData("")]
    [InlineData(null)]
    public void OtherName_IsRefused(string? name)
    {
        Assert.False(ReplicationModeNames.TryParse(name, out _));
    }
}
