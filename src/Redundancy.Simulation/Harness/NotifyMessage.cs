using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>One sd_notify datagram as received (<see cref="Stopwatch.GetTimestamp"/> when it arrived).</summary>
/// <param name="T">When it arrived.</param>
/// <param name="Text">Its lines, <c>KEY=VALUE</c>.</param>
public sealed record NotifyMessage(long T, string Text)
{
    /// <summary>Whether one of its lines is <paramref name="line"/> exactly.</summary>
    public bool Has(string line) => Text.Split('\n').Contains(line, StringComparer.Ordinal);

    /// <summary>The value of <paramref name="key"/> in it, or null.</summary>
    public string? Value(string key) =>
        Text.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
}
