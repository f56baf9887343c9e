using Redundancy.Protocol.Status;

namespace Redundancy.Sparkplug;

/// <summary>
/// The agent's status as Sparkplug metrics: the names, in Sparkplug folder style, and <see cref="From"/> to make the
/// ordered set from a <see cref="NodeStatus"/>. The order is fixed (the node metrics first, then each link, then each
/// output, in the status's order), so a session gives the same aliases on every connect of the same configuration:
/// aliases 1-10 for the node metrics, whatever the number of links and outputs. docs/sparkplug.md has the table.
/// Pure and thread-safe.
/// </summary>
public static class RedundancyMetrics
{
    /// <summary>String: Starting, Standby, Active, Maintenance, Faulted, Stopping.</summary>
    public const string Role = "Redundancy/Role";

    /// <summary>UInt64: the epoch (generation) this node is in.</summary>
    public const string Epoch = "Redundancy/Epoch";

    /// <summary>String: NotReady, Warm, Hot.</summary>
    public const string Readiness = "Redundancy/Readiness";

    /// <summary>Int32: OPC UA style service level, 0-255.</summary>
    public const string ServiceLevel = "Redundancy/ServiceLevel";

    /// <summary>String: primary-with-backup, primary-only, backup-ready, backup-not-ready, not-serving.</summary>
    public const string Mode = "Redundancy/Mode";

    /// <summary>UInt64: entries not yet acknowledged (active) or applied (standby); null when nothing replicates.</summary>
    public const string LagEntries = "Replication/LagEntries";

    /// <summary>Double: age of the oldest entry not acknowledged, ms; null when nothing replicates.</summary>
    public const string LagMs = "Replication/LagMs";

    /// <summary>String: why this node last took over; null before its first takeover since start.</summary>
    public const string LastTakeoverReason = "Takeover/LastReason";

    /// <summary>Double: from the peer's last frame to the takeover decision, ms; null before the first takeover.</summary>
    public const string DetectionMs = "Takeover/DetectionMs";

    /// <summary>Double: from the decision to the outputs driven, ms; null before the first takeover.</summary>
    public const string TakeoverMs = "Takeover/TakeoverMs";

    /// <summary>Boolean: whether the peer's frames arrive on the link (debounced).</summary>
    public static string LinkUp(string link) => $"Links/{link}/Up";

    /// <summary>Double: the peer's frames per second accepted on the link, recently.</summary>
    public static string LinkFramesPerSecond(string link) => $"Links/{link}/FramesPerSecond";

    /// <summary>Boolean: the output's logical value in the control state.</summary>
    public static string OutputValue(string output) => $"Outputs/{output}/Value";

    /// <summary>Boolean: whether this node drives the output's pin now (only the active does).</summary>
    public static string OutputDriven(string output) => $"Outputs/{output}/Driven";

    /// <summary>The status as metrics, in the fixed order described above.</summary>
    /// <exception cref="ArgumentException">Two links or two outputs have the same name.</exception>
    public static SparkplugMetrics From(NodeStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var replication = status.Replication;
        var takeover = status.LastTakeover;
        var metrics = new SparkplugMetrics
        {
            { Role, status.Role },
            { Epoch, status.Epoch },
            { Readiness, status.Readiness },
            { ServiceLevel, status.ServiceLevel },
            { Mode, status.Mode },
            { LagEntries, replication is null ? MetricValue.Null(SparkplugDataType.UInt64) : (ulong)Math.Max(0, replication.LagEntries) },
            { LagMs, replication is null ? MetricValue.Null(SparkplugDataType.Double) : replication.LagMs },
            { LastTakeoverReason, takeover is null ? MetricValue.Null(SparkplugDataType.String) : takeover.Reason },
            { DetectionMs, takeover is null ? MetricValue.Null(SparkplugDataType.Double) : takeover.DetectionMs },
            { TakeoverMs, takeover is null ? MetricValue.Null(SparkplugDataType.Double) : takeover.TakeoverMs },
        };

        foreach (var link in status.Links)
        {
            metrics.Add(LinkUp(link.Name), link.Up);
            metrics.Add(LinkFramesPerSecond(link.Name), link.FramesPerSecond);
        }

        foreach (var output in status.Outputs)
        {
            metrics.Add(OutputValue(output.Name), output.Value);
            metrics.Add(OutputDriven(output.Name), output.Driven);
        }

        return metrics;
    }
}
