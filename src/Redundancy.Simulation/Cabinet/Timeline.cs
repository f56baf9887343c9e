using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Redundancy.Simulation.Cabinet;

/// <summary>
/// Reads a cabinet's events as intervals of "node N drives channel C", and measures what matters: overlap
/// (two nodes driving the same channel at once; must be zero), gaps (nobody driving), and when a node first
/// drove all its channels.
/// </summary>
public sealed class Timeline
{
    private readonly IReadOnlyList<CabinetEvent> _events;

    /// <summary>Builds the timeline from events (any order).</summary>
    public Timeline(IEnumerable<CabinetEvent> events)
    {
        _events = events.OrderBy(e => e.T).ToArray();
        var open = new Dictionary<(string, string), long>();
        var drives = new List<DriveInterval>();
        foreach (var e in _events)
        {
            if (e.Kind == "drive-on")
            {
                open[(e.Node, e.Subject)] = e.T;
            }
            else if (e.Kind == "drive-off" && open.Remove((e.Node, e.Subject), out var start))
            {
                drives.Add(new DriveInterval(e.Node, e.Subject, start, e.T));
            }
        }

        drives.AddRange(open.Select(kv => new DriveInterval(kv.Key.Item1, kv.Key.Item2, kv.Value, null)));
        Drives = drives.OrderBy(d => d.Start).ToArray();
    }

    /// <summary>Every event, in time order.</summary>
    public IReadOnlyList<CabinetEvent> Events => _events;

    /// <summary>Every interval in which a node drove a channel.</summary>
    public IReadOnlyList<DriveInterval> Drives { get; }

    /// <summary>Total time two different nodes drove the same channel at once, summed over channels.</summary>
    public TimeSpan Overlap()
    {
        long ticks = 0;
        var now = Stopwatch.GetTimestamp();
        foreach (var a in Drives)
        {
            foreach (var b in Drives)
            {
                if (string.CompareOrdinal(a.Node, b.Node) < 0 && a.Channel == b.Channel)
                {
                    var start = Math.Max(a.Start, b.Start);
                    var end = Math.Min(a.End ?? now, b.End ?? now);
                    ticks += Math.Max(0, end - start);
                }
            }
        }

        return Ticks(ticks);
    }

    /// <summary>Each span in which two different nodes drove the same channel at once: channel, start, end (null: still).</summary>
    public IReadOnlyList<(string Channel, long Start, long? End)> OverlapSpans()
    {
        var spans = new List<(string, long, long?)>();
        foreach (var a in Drives)
        {
            foreach (var b in Drives)
            {
                if (string.CompareOrdinal(a.Node, b.Node) < 0 && a.Channel == b.Channel)
                {
                    var start = Math.Max(a.Start, b.Start);
                    long? end = a.End is null ? b.End : b.End is null ? a.End : Math.Min(a.End.Value, b.End.Value);
                    if (end is null || end > start)
                    {
                        spans.Add((a.Channel, start, end));
                    }
                }
            }
        }

        return spans.OrderBy(s => s.Item2).ToArray();
    }

    /// <summary>The first time at or after <paramref name="after"/> that <paramref name="node"/> drove every one of
    /// <paramref name="channels"/> at once, or null.</summary>
    public long? FirstFullDrive(string node, IReadOnlyCollection<string> channels, long after)
    {
        var driving = new HashSet<string>();
        foreach (var e in _events.Where(e => e.Node == node))
        {
            if (e.Kind == "drive-on")
            {
                driving.Add(e.Subject);
            }
            else if (e.Kind == "drive-off")
            {
                driving.Remove(e.Subject);
            }

            if (e.T >= after && channels.All(driving.Contains))
            {
                return e.T;
            }
        }

        return null;
    }

    /// <summary>For each channel, the longest time after <paramref name="after"/> that nobody drove it, between
    /// one node letting go and the next taking it; the largest over channels.</summary>
    public TimeSpan LongestGap(long after)
    {
        long worst = 0;
        foreach (var channel in Drives.Select(d => d.Channel).Distinct())
        {
            var intervals = Drives.Where(d => d.Channel == channel).OrderBy(d => d.Start).ToArray();
            long? coveredUntil = null;
            foreach (var d in intervals)
            {
                if (coveredUntil is { } c && d.Start > c && c >= after)
                {
                    worst = Math.Max(worst, d.Start - c);
                }

                var end = d.End ?? long.MaxValue;
                coveredUntil = coveredUntil is null ? end : Math.Max(coveredUntil.Value, end);
            }
        }

        return Ticks(worst);
    }

    /// <summary>A readable table of the events from <paramref name="from"/>, times relative to it in ms.</summary>
    public string Render(long from, Func<CabinetEvent, bool>? filter = null)
    {
        var sb = new StringBuilder();
        foreach (var e in _events.Where(e => e.T >= from && (filter?.Invoke(e) ?? true)))
        {
            var ms = (e.T - from) * 1000.0 / Stopwatch.Frequency;
            var what = e.Kind switch
            {
                "mark" => $">>> {e.Subject}",
                "drive-on" => $"node {e.Node} drives {e.Subject} ({(e.Value == 1 ? "high" : "low")})",
                "drive-off" => $"node {e.Node} stops driving {e.Subject}",
                "power-off" => $"node {e.Node} lost power (process gone)",
                "power-on" => $"node {e.Node} powered (process connected)",
                "relay-open" => $"node {e.Node} watchdog relay opens (life signal stopped)",
                "relay-close" => $"node {e.Node} watchdog relay closes",
                "input" => $"node {e.Node} peer-active input -> {e.Value}",
                _ => $"node {e.Node} {e.Kind} {e.Subject} {e.Value}",
            };
            sb.Append(CultureInfo.InvariantCulture, $"  {ms,9:F1} ms  {what}\n");
        }

        return sb.ToString();
    }

    /// <summary>Converts cabinet clock ticks to a duration.</summary>
    public static TimeSpan Ticks(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
}

/// <summary>A node drove a channel from <paramref name="Start"/> to <paramref name="End"/> (null: still driving).</summary>
/// <param name="Node">Node.</param>
/// <param name="Channel">Channel.</param>
/// <param name="Start">Start (cabinet clock).</param>
/// <param name="End">End (cabinet clock), or null.</param>
public sealed record DriveInterval(string Node, string Channel, long Start, long? End);
