using System.Globalization;

namespace Redundancy.Sparkplug;

/// <summary>
/// One metric's value with its Sparkplug datatype: a bool, int, long, ulong, double or string, or null of one of
/// those types (sent with <c>is_null</c>, for a value the node does not have, such as the reason of a takeover that
/// never happened). Converts implicitly from each of those .NET types. Two values are equal when their type, null-ness
/// and value are (a double by its bits, so NaN equals NaN). Immutable.
/// </summary>
public readonly record struct MetricValue
{
    private readonly long _bits;
    private readonly string? _text;

    private MetricValue(SparkplugDataType type, long bits, string? text, bool isNull)
    {
        Type = type;
        _bits = bits;
        _text = text;
        IsNull = isNull;
    }

    /// <summary>The Sparkplug datatype, declared in NBIRTH.</summary>
    public SparkplugDataType Type { get; }

    /// <summary>Whether the value is null (of <see cref="Type"/>).</summary>
    public bool IsNull { get; }

    /// <summary>The value as its .NET type (bool, int, long, ulong, double or string), or null.</summary>
    public object? Value => IsNull ? null : Type switch
    {
        SparkplugDataType.Boolean => _bits != 0,
        SparkplugDataType.Int32 => (int)_bits,
        SparkplugDataType.Int64 => _bits,
        SparkplugDataType.UInt64 => unchecked((ulong)_bits),
        SparkplugDataType.Double => BitConverter.Int64BitsToDouble(_bits),
        _ => _text,
    };

    internal long Bits => _bits;

    internal string? Text => _text;

    /// <summary>A Boolean value.</summary>
    public static MetricValue Of(bool value) => new(SparkplugDataType.Boolean, value ? 1 : 0, null, false);

    /// <summary>An Int32 value.</summary>
    public static MetricValue Of(int value) => new(SparkplugDataType.Int32, value, null, false);

    /// <summary>An Int64 value.</summary>
    public static MetricValue Of(long value) => new(SparkplugDataType.Int64, value, null, false);

    /// <summary>A UInt64 value.</summary>
    public static MetricValue Of(ulong value) => new(SparkplugDataType.UInt64, unchecked((long)value), null, false);

    /// <summary>A Double value.</summary>
    public static MetricValue Of(double value) => new(SparkplugDataType.Double, BitConverter.DoubleToInt64Bits(value), null, false);

    /// <summary>A String value; a null string gives a null String value.</summary>
    public static MetricValue Of(string? value) => new(SparkplugDataType.String, 0, value, value is null);

    /// <summary>A null value of the given type: the metric exists (and keeps its type) but has no value now.</summary>
    public static MetricValue Null(SparkplugDataType type) =>
        Enum.IsDefined(type) ? new(type, 0, null, true) : throw new ArgumentOutOfRangeException(nameof(type), type, "not a datatype this library writes");

    /// <summary>See <see cref="Of(bool)"/>.</summary>
    public static implicit operator MetricValue(bool value) => Of(value);

    /// <summary>See <see cref="Of(int)"/>.</summary>
    public static implicit operator MetricValue(int value) => Of(value);

    /// <summary>See <see cref="Of(long)"/>.</summary>
    public static implicit operator MetricValue(long value) => Of(value);

    /// <summary>See <see cref="Of(ulong)"/>.</summary>
    public static implicit operator MetricValue(ulong value) => Of(value);

    /// <summary>See <see cref="Of(double)"/>.</summary>
    public static implicit operator MetricValue(double value) => Of(value);

    /// <summary>See <see cref="Of(string)"/>.</summary>
    public static implicit operator MetricValue(string? value) => Of(value);

    /// <summary>The value in invariant culture with its type, as in "Double 1.5" or "String null".</summary>
    public override string ToString() =>
        $"{Type} {(IsNull ? "null" : Convert.ToString(Value, CultureInfo.InvariantCulture))}";
}
