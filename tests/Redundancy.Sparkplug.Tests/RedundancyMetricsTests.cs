using Redundancy.Protocol.Status;
using static Redundancy.Sparkplug.Tests.Samples;

namespace Redundancy.Sparkplug.Tests;

/// <summary>The agent's status as metrics: names, types, order (and so aliases), nulls for what the node lacks.</summary>
public sealed class RedundancyMetricsTests
{
    public static readonly (string Name, SparkplugDataType Type)[] Expected =
    [
        ("Redundancy/Role", SparkplugDataType.String),
        ("Redundancy/Epoch", SparkplugDataType.UInt64),
        ("Redundancy/Readiness", SparkplugDataType.String),
        ("Redundancy/ServiceLevel", SparkplugDataType.Int32),
        ("Redundancy/Mode", SparkplugDataType.String),
        ("Replication/LagEntries", SparkplugDataType.UInt64),
        ("Replication/LagMs", SparkplugDataType.Double),
        ("Takeover/LastReason", SparkplugDataType.String),
        ("Takeover/DetectionMs", SparkplugDataType.Double),
        ("Takeover/TakeoverMs", SparkplugDataType.Double),
        ("Links/serial/Up", SparkplugDataType.Boolean),
        ("Links/serial/FramesPerSecond", SparkplugDataType.Double),
        ("Links/udp/Up", SparkplugDataType.Boolean),
        ("Links/udp/FramesPerSecond", SparkplugDataType.Double),
        ("Outputs/pump/Value", SparkplugDataType.Boolean),
        ("Outputs/pump/Driven", SparkplugDataType.Boolean),
        ("Outputs/valve/Value", SparkplugDataType.Boolean),
        ("Outputs/valve/Driven", SparkplugDataType.Boolean),
    ];

    [Fact]
    public void Status_GivesEveryMetricInTheFixedOrder_WithItsType()
    {
        var metrics = RedundancyMetrics.From(Status());

        Assert.Equal(Expected, metrics.Select(m => (m.Name, m.Value.Type)));
    }

    [Fact]
    public void Values_AreTheStatus()
    {
        var status = Status(
            takeover: new TakeoverStatus(3, "peer silent on all links", DateTimeOffset.FromUnixTimeMilliseconds(StartMs), 104.5, 1.25),
            replication: new ReplicationStatus("semi-sync", true, 12, 3.5, false, 0));

        var values = RedundancyMetrics.From(status).ToDictionary(m => m.Name, m => m.Value.Value);

        Assert.Equal("Active", values["Redundancy/Role"]);
        Assert.Equal(3UL, values["Redundancy/Epoch"]);
        Assert.Equal("Hot", values["Redundancy/Readiness"]);
        Assert.Equal(255, values["Redundancy/ServiceLevel"]);
        Assert.Equal("primary-with-backup", values["Redundancy/Mode"]);
        Assert.Equal(12UL, values["Replication/LagEntries"]);
        Assert.Equal(3.5, values["Replication/LagMs"]);
        Assert.Equal("peer silent on all links", values["Takeover/LastReason"]);
        Assert.Equal(104.5, values["Takeover/DetectionMs"]);
        Assert.Equal(1.25, values["Takeover/TakeoverMs"]);
        Assert.Equal(true, values["Links/serial/Up"]);
        Assert.Equal(50.0, values["Links/serial/FramesPerSecond"]);
        Assert.Equal(false, values["Links/udp/Up"]);
        Assert.Equal(true, values["Outputs/pump/Value"]);
        Assert.Equal(true, values["Outputs/pump/Driven"]);
    }

    [Fact]
    public void NoReplicationAndNoTakeoverYet_AreNullsOfTheirType_SoTheMetricSetStaysTheSame()
    {
        var metrics = RedundancyMetrics.From(Status()).ToDictionary(m => m.Name, m => m.Value);

        Assert.Equal(MetricValue.Null(SparkplugDataType.UInt64), metrics["Replication/LagEntries"]);
        Assert.Equal(MetricValue.Null(SparkplugDataType.Double), metrics["Replication/LagMs"]);
        Assert.Equal(MetricValue.Null(SparkplugDataType.String), metrics["Takeover/LastReason"]);
        Assert.Equal(MetricValue.Null(SparkplugDataType.Double), metrics["Takeover/DetectionMs"]);
        Assert.Equal(MetricValue.Null(SparkplugDataType.Double), metrics["Takeover/TakeoverMs"]);
    }

    [Fact]
    public void NodeMetrics_HaveAliases1To10_LinksAndOutputsAfter()
    {
        var session = Session(Clock());

        session.Birth(RedundancyMetrics.From(Status()));

        Assert.Equal(Enumerable.Range(1, Expected.Length).Select(i => (ulong?)i), Expected.Select(e => session.AliasOf(e.Name)));
    }

    [Fact]
    public void ATakeover_IsAnNDataOfTheChanges_NotARebirth()
    {
        var session = Session(Clock());
        session.Birth(RedundancyMetrics.From(Status(role: "Standby")));

        var data = session.Data(RedundancyMetrics.From(Status(
            role: "Active", takeover: new TakeoverStatus(4, "peer silent on all links", DateTimeOffset.UnixEpoch, 100, 2))))!;

        Assert.Equal(SparkplugMessageType.NData, data.Type);
        var aliases = Parse(data).Metrics.Select(m => m.Alias).ToList();
        Assert.Equal(new[] { "Redundancy/Role", "Takeover/LastReason", "Takeover/DetectionMs", "Takeover/TakeoverMs", "Outputs/pump/Driven", "Outputs/valve/Driven" }.Select(n => session.AliasOf(n)!.Value), aliases);
    }
}
