namespace Redundancy.Sparkplug;

/// <summary>
/// One message ready to publish: its topic, its payload bytes and how MQTT must carry it (Sparkplug 3.0 fixes QoS and
/// retain per message type). Immutable; the payload array is the caller's to publish and must not be changed.
/// </summary>
public sealed class SparkplugMessage
{
    internal SparkplugMessage(SparkplugMessageType type, string topic, byte[] payload, byte? seq, int metricCount)
    {
        Type = type;
        Topic = topic;
        Payload = payload;
        Seq = seq;
        MetricCount = metricCount;
    }

    /// <summary>NBIRTH, NDATA or NDEATH.</summary>
    public SparkplugMessageType Type { get; }

    /// <summary>The MQTT topic, as <c>spBv1.0/&lt;group&gt;/&lt;type&gt;/&lt;edge node&gt;</c>.</summary>
    public string Topic { get; }

    /// <summary>The Sparkplug B protobuf payload.</summary>
    public byte[] Payload { get; }

    /// <summary>The payload's seq (0-255); null for NDEATH, which carries none.</summary>
    public byte? Seq { get; }

    /// <summary>How many metrics the payload carries, bdSeq and Node Control/Rebirth included.</summary>
    public int MetricCount { get; }

    /// <summary>MQTT QoS to publish with: 1 for NDEATH (the Will), 0 for NBIRTH and NDATA.</summary>
    public int QualityOfService => Type == SparkplugMessageType.NDeath ? 1 : 0;

    /// <summary>MQTT retain flag: always false for edge node messages.</summary>
    public bool Retain => false;

    /// <inheritdoc/>
    public override string ToString() => $"{Type} {Topic} seq={(Seq is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")} metrics={MetricCount} bytes={Payload.Length}";
}
