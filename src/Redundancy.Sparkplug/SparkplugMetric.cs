namespace Redundancy.Sparkplug;

/// <summary>One metric: its name in Sparkplug folder style ("Links/serial/Up") and its value.</summary>
/// <param name="Name">The name, '/' between folders; unique within a <see cref="SparkplugMetrics"/>.</param>
/// <param name="Value">The value with its datatype.</param>
public readonly record struct SparkplugMetric(string Name, MetricValue Value);
