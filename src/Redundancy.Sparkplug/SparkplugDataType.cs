namespace Redundancy.Sparkplug;

/// <summary>
/// The Sparkplug B datatypes this library writes, with the specification's numbers (the metric's <c>datatype</c>
/// field). The specification defines more (Int8, Float, DateTime, DataSet ...); the agent's status needs only these.
/// </summary>
public enum SparkplugDataType
{
    /// <summary>Signed 32-bit integer, sent in <c>int_value</c> as two's complement.</summary>
    Int32 = 3,

    /// <summary>Signed 64-bit integer, sent in <c>long_value</c> as two's complement.</summary>
    Int64 = 4,

    /// <summary>Unsigned 64-bit integer, sent in <c>long_value</c>.</summary>
    UInt64 = 8,

    /// <summary>IEEE 754 double, sent in <c>double_value</c>.</summary>
    Double = 10,

    /// <summary>True or false, sent in <c>boolean_value</c>.</summary>
    Boolean = 11,

    /// <summary>UTF-8 text, sent in <c>string_value</c>.</summary>
    String = 12,
}
