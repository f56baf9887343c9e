using Microsoft.Extensions.Time.Testing;
using Redundancy.Protocol.Status;
using Redundancy.Sparkplug.Wire;

namespace Redundancy.Sparkplug.Tests;

/// <summary>What the tests share: a clock, topics, a node status and the reading of our own bytes.</summary>
internal static class Samples
{
    /// <summary>2025-10-09 08:53:20 UTC: a whole second, so timestamps read back exactly.</summary>
    public const long StartMs = 1_760_000_000_000;

    public static FakeTimeProvider Clock() => new(DateTimeOffset.FromUnixTimeMilliseconds(StartMs));

    public static SparkplugTopics Topics() => new("Plant 1", "pair-7-A");

    public static SparkplugSession Session(TimeProvider time, byte bdSeq = 7) => new(Topics(), bdSeq, time);

    /// <summary>One of each datatype, a null among them.</summary>
    public static SparkplugMetrics Mixed() => new()
    {
        { "Redundancy/Role", "Active" },
        { "Redundancy/Epoch", 42UL },
        { "Redundancy/ServiceLevel", 255 },
        { "Counters/Signed", -5L },
        { "Links/serial/Up", true },
        { "Links/serial/FramesPerSecond", 49.5 },
        { "Takeover/LastReason", MetricValue.Null(SparkplugDataType.String) },
    };

    public static Payload Parse(SparkplugMessage message) => Payload.Parser.ParseFrom(message.Payload);

    public static NodeStatus Status(string role = "Active", double serialFps = 50, bool outputValue = true, TakeoverStatus? takeover = null, ReplicationStatus? replication = null) => new()
    {
        Node = "A",
        NodeId = 1,
        PairId = 7,
        Version = "1.0.0",
        StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(StartMs),
        UptimeSeconds = 10,
        Role = role,
        Epoch = 3,
        Readiness = "Hot",
        ServiceLevel = 255,
        Mode = "primary-with-backup",
        LastSequence = 100,
        StorageCommits = 10,
        StorageEntries = 100,
        RoleChanges = 1,
        LastEventSequence = 5,
        Links =
        [
            new LinkStatus("serial", true, serialFps, 500, 500, 1.8, 0, new Dictionary<string, long>()),
            new LinkStatus("udp", false, 0, 0, 500, null, 0, new Dictionary<string, long>()),
        ],
        Replication = replication,
        Outputs = [new OutputStatus("pump", outputValue, role == "Active"), new OutputStatus("valve", false, role == "Active")],
        Alarms = [],
        LastTakeover = takeover,
    };
}
