using System.Collections;

namespace Redundancy.Sparkplug;

/// <summary>
/// The node's metrics at one moment, in order: what <see cref="SparkplugSession.Birth"/> and
/// <see cref="SparkplugSession.Data"/> are fed. Order matters only for aliases (the first name seen gets the next
/// alias). Names are checked as they are added: not empty, not twice, and not <c>bdSeq</c> or
/// <c>Node Control/Rebirth</c>, which the session adds itself. Built with a collection initializer
/// (<c>new SparkplugMetrics { { "Redundancy/Role", "Active" } }</c>); not thread-safe while it is being filled.
/// </summary>
public sealed class SparkplugMetrics : IReadOnlyList<SparkplugMetric>
{
    private readonly List<SparkplugMetric> _metrics = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>An empty set; fill it with <see cref="Add(string, MetricValue)"/>.</summary>
    public SparkplugMetrics()
    {
    }

    /// <summary>The given metrics in their order; see <see cref="Add(SparkplugMetric)"/> for what is refused.</summary>
    public SparkplugMetrics(IEnumerable<SparkplugMetric> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var metric in metrics)
        {
            Add(metric);
        }
    }

    /// <inheritdoc/>
    public int Count => _metrics.Count;

    /// <inheritdoc/>
    public SparkplugMetric this[int index] => _metrics[index];

    /// <summary>Adds a metric at the end.</summary>
    /// <exception cref="ArgumentException">The name is empty, already present, or one the session adds itself.</exception>
    public void Add(string name, MetricValue value) => Add(new SparkplugMetric(name, value));

    /// <summary>Adds a metric at the end.</summary>
    /// <exception cref="ArgumentException">The name is empty, already present, or one the session adds itself.</exception>
    public void Add(SparkplugMetric metric)
    {
        var name = metric.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("a Sparkplug metric name must not be empty", nameof(metric));
        }

        if (name is SparkplugSession.BdSeqMetric or SparkplugSession.RebirthMetric)
        {
            throw new ArgumentException($"metric '{name}' is added by the session itself: leave it out", nameof(metric));
        }

        if (!_names.Add(name))
        {
            throw new ArgumentException($"metric '{name}' is given twice: names must be unique", nameof(metric));
        }

        _metrics.Add(metric);
    }

    /// <inheritdoc/>
    public IEnumerator<SparkplugMetric> GetEnumerator() => _metrics.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
