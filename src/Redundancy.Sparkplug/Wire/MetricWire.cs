using Google.Protobuf;

namespace Redundancy.Sparkplug.Wire;

/// <summary>Between <see cref="MetricValue"/> and the protobuf metric. Pure.</summary>
internal static class MetricWire
{
    /// <summary>Milliseconds since 1970 UTC, as Sparkplug timestamps are; 0 for a clock before 1970.</summary>
    public static ulong Timestamp(DateTimeOffset now) => (ulong)Math.Max(0, now.ToUnixTimeMilliseconds());

    /// <summary>A metric: the name only in a birth (or for the metrics that never have an alias), the datatype only
    /// in a birth (the specification says NDATA should not repeat it).</summary>
    public static Payload.Types.Metric Metric(string? name, ulong? alias, MetricValue value, ulong timestamp, bool withDatatype)
    {
        var metric = new Payload.Types.Metric { Timestamp = timestamp };
        if (name is not null)
        {
            metric.Name = name;
        }

        if (alias is { } a)
        {
            metric.Alias = a;
        }

        if (withDatatype)
        {
            metric.Datatype = (uint)value.Type;
        }

        if (value.IsNull)
        {
            metric.IsNull = true;
            return metric;
        }

        switch (value.Type)
        {
            case SparkplugDataType.Boolean:
                metric.BooleanValue = value.Bits != 0;
                break;
            case SparkplugDataType.Int32:
                metric.IntValue = unchecked((uint)(int)value.Bits);
                break;
            case SparkplugDataType.Int64:
            case SparkplugDataType.UInt64:
                metric.LongValue = unchecked((ulong)value.Bits);
                break;
            case SparkplugDataType.Double:
                metric.DoubleValue = BitConverter.Int64BitsToDouble(value.Bits);
                break;
            case SparkplugDataType.String:
                metric.StringValue = value.Text;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Type, "not a datatype this library writes");
        }

        return metric;
    }

    /// <summary>The value of a received metric read as <paramref name="type"/>, or null when it does not hold one.</summary>
    public static MetricValue? Read(Payload.Types.Metric metric, SparkplugDataType type)
    {
        if (metric.HasIsNull && metric.IsNull)
        {
            return MetricValue.Null(type);
        }

        return (type, metric.ValueCase) switch
        {
            (SparkplugDataType.Boolean, Payload.Types.Metric.ValueOneofCase.BooleanValue) => MetricValue.Of(metric.BooleanValue),
            (SparkplugDataType.Int32, Payload.Types.Metric.ValueOneofCase.IntValue) => MetricValue.Of(unchecked((int)metric.IntValue)),
            (SparkplugDataType.Int64, Payload.Types.Metric.ValueOneofCase.LongValue) => MetricValue.Of(unchecked((long)metric.LongValue)),
            (SparkplugDataType.UInt64, Payload.Types.Metric.ValueOneofCase.LongValue) => MetricValue.Of(metric.LongValue),
            (SparkplugDataType.Double, Payload.Types.Metric.ValueOneofCase.DoubleValue) => MetricValue.Of(metric.DoubleValue),
            (SparkplugDataType.String, Payload.Types.Metric.ValueOneofCase.StringValue) => MetricValue.Of(metric.StringValue),
            _ => null,
        };
    }

    /// <summary>The payload's bytes.</summary>
    public static byte[] Bytes(Payload payload) => payload.ToByteArray();
}
