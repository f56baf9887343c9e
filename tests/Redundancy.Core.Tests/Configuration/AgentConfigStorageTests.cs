using Redundancy.Core.Configuration;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>The storage bounds (slow and hung commits, recovery) and the log's byte bound.</summary>
public sealed class AgentConfigStorageTests
{
    private const string Base = """
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","gpio":{"driver":"simulated","simulatorSocket":"/s"},"udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"}
        """;

    [Fact]
    public void StorageSection_IsRead()
    {
        var options = AgentConfig.Parse(Base + ""","storage":{"commitAlarmMs":300,"commitFaultMs":1500,"retryIntervalMs":500},"replication":{"bind":"127.0.0.1:1","peer":"127.0.0.1:2","retentionBytes":16777216}}""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new StorageOptions(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(500), 16L * 1024 * 1024), options!.Storage);
    }

    [Fact]
    public void NoStorageSection_GivesTheDefaults()
    {
        var options = AgentConfig.Parse(Base + "}", out var errors);

        Assert.Empty(errors);
        Assert.Equal(StorageOptions.Default, options!.Storage);
    }

    [Fact]
    public void FaultBoundNotAboveTheAlarmBound_IsRefusedNamingBoth()
    {
        var options = AgentConfig.Parse(Base + ""","storage":{"commitAlarmMs":2000,"commitFaultMs":2000}}""", out var errors);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.Contains("storage.commitFaultMs", error);
        Assert.Contains("storage.commitAlarmMs (2000 ms)", error);
    }

    [Fact]
    public void RetentionBytesBelowAMebibyte_IsRefused()
    {
        var options = AgentConfig.Parse(Base + ""","replication":{"bind":"127.0.0.1:1","peer":"127.0.0.1:2","retentionBytes":1000}}""", out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("replication.retentionBytes", StringComparison.Ordinal));
    }
}
