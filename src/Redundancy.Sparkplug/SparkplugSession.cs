using Redundancy.Sparkplug.Wire;

namespace Redundancy.Sparkplug;

/// <summary>
/// One MQTT session of the edge node, Sparkplug B 3.0: makes the NDEATH (the Will), NBIRTH and NDATA payloads and keeps
/// the rules that tie them together.
/// <list type="bullet">
/// <item><b>bdSeq</b> is given by the caller, one per MQTT CONNECT: the agent persists it across restarts and takes
/// <see cref="NextBdSeq"/> of the last one before each connect. NDEATH and every NBIRTH of the session carry it (Int64).
/// Make a new session for each connect.</item>
/// <item><b>seq</b> is 0 in each NBIRTH and one more in each NDATA, 255 wrapping to 0. NDEATH has none.</item>
/// <item><b>Aliases</b> are given to names in the order first seen, from 1, and kept for the session's life: a rebirth
/// keeps them and a name that goes away keeps its alias unused. bdSeq and Node Control/Rebirth have none (the
/// specification wants a host to be able to ask for a rebirth without knowing aliases).</item>
/// <item><b>NDATA</b> carries only the metrics whose value changed since the last NBIRTH or NDATA, by alias, with
/// timestamps and no datatype. A metric set that differs from the birth's (a name added or gone, a type changed)
/// needs a new NBIRTH, and <see cref="Data"/> then makes one.</item>
/// </list>
/// Timestamps (payload and metrics, ms since 1970 UTC) come from the <see cref="TimeProvider"/>. Not thread-safe: one
/// caller at a time (the status publisher's loop).
/// </summary>
public sealed class SparkplugSession
{
    /// <summary>The birth/death sequence metric's name.</summary>
    public const string BdSeqMetric = "bdSeq";

    /// <summary>The rebirth control metric's name: false in NBIRTH, true in a host's NCMD asking for a rebirth.</summary>
    public const string RebirthMetric = "Node Control/Rebirth";

    private readonly TimeProvider _time;
    private readonly Dictionary<string, ulong> _aliases = new(StringComparer.Ordinal);
    private Dictionary<string, MetricValue>? _sent;
    private ulong _nextAlias = 1;
    private byte _seq;

    /// <summary>A session whose Will and births carry <paramref name="bdSeq"/>.</summary>
    /// <param name="topics">The edge node's topics.</param>
    /// <param name="bdSeq">This connect's birth/death sequence number (0-255), persisted by the caller.</param>
    /// <param name="timeProvider">The clock for timestamps.</param>
    public SparkplugSession(SparkplugTopics topics, byte bdSeq, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Topics = topics;
        BdSeq = bdSeq;
        _time = timeProvider;
    }

    /// <summary>The edge node's topics.</summary>
    public SparkplugTopics Topics { get; }

    /// <summary>This session's bdSeq.</summary>
    public byte BdSeq { get; }

    /// <summary>Whether an NBIRTH was made: until then <see cref="Data"/> makes an NBIRTH.</summary>
    public bool IsBorn => _sent is not null;

    /// <summary>The seq of the last NBIRTH or NDATA made; null before the first NBIRTH.</summary>
    public byte? Seq => IsBorn ? _seq : null;

    /// <summary>The bdSeq for the next MQTT CONNECT: 0 for the first ever (<paramref name="previous"/> null), else one
    /// more than the previous, 255 wrapping to 0. Persist it before connecting, so a crash cannot reuse it.</summary>
    public static byte NextBdSeq(byte? previous) => previous is { } p ? unchecked((byte)(p + 1)) : (byte)0;

    /// <summary>The alias given to a metric name, or null if it has none (not seen yet, or bdSeq and the rebirth metric).</summary>
    public ulong? AliasOf(string name) => _aliases.TryGetValue(name, out var alias) ? alias : null;

    /// <summary>
    /// The NDEATH: the bdSeq metric alone, no seq. Register it as the Will (QoS 1, not retained) in the CONNECT, and
    /// publish it before a clean disconnect (or disconnect with MQTT 5's "disconnect with Will message" reason code),
    /// since a plain DISCONNECT makes the broker drop the Will. Changes nothing in the session.
    /// </summary>
    public SparkplugMessage Death()
    {
        var now = MetricWire.Timestamp(_time.GetUtcNow());
        var payload = new Payload { Timestamp = now };
        payload.Metrics.Add(MetricWire.Metric(BdSeqMetric, null, MetricValue.Of((long)BdSeq), now, withDatatype: true));
        return new SparkplugMessage(SparkplugMessageType.NDeath, Topics.NDeath, MetricWire.Bytes(payload), seq: null, payload.Metrics.Count);
    }

    /// <summary>
    /// An NBIRTH of every metric given, with name, alias, datatype, value and timestamp, plus bdSeq and
    /// Node Control/Rebirth (false); seq 0. Made after each connect, on a host's rebirth request, and by
    /// <see cref="Data"/> when the metric set changed. Later NDATA compare with these values.
    /// </summary>
    public SparkplugMessage Birth(SparkplugMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var now = MetricWire.Timestamp(_time.GetUtcNow());
        var payload = new Payload { Timestamp = now, Seq = 0 };
        payload.Metrics.Add(MetricWire.Metric(BdSeqMetric, null, MetricValue.Of((long)BdSeq), now, withDatatype: true));
        payload.Metrics.Add(MetricWire.Metric(RebirthMetric, null, MetricValue.Of(false), now, withDatatype: true));

        var sent = new Dictionary<string, MetricValue>(metrics.Count, StringComparer.Ordinal);
        foreach (var (name, value) in metrics)
        {
            payload.Metrics.Add(MetricWire.Metric(name, Alias(name), value, now, withDatatype: true));
            sent[name] = value;
        }

        _sent = sent;
        _seq = 0;
        return new SparkplugMessage(SparkplugMessageType.NBirth, Topics.NBirth, MetricWire.Bytes(payload), _seq, payload.Metrics.Count);
    }

    /// <summary>
    /// An NDATA of the metrics whose value changed since the last NBIRTH or NDATA, by alias, in the order given; seq one
    /// more than the last. Null when nothing changed (no seq is used). An NBIRTH instead (see <see cref="Birth"/>)
    /// before the first birth, or when the metric set differs from the last birth's: check
    /// <see cref="SparkplugMessage.Type"/>, or just publish on <see cref="SparkplugMessage.Topic"/>.
    /// </summary>
    public SparkplugMessage? Data(SparkplugMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_sent is null || !SameSet(_sent, metrics))
        {
            return Birth(metrics);
        }

        var now = MetricWire.Timestamp(_time.GetUtcNow());
        Payload? payload = null;
        foreach (var (name, value) in metrics)
        {
            if (_sent[name].Equals(value))
            {
                continue;
            }

            payload ??= new Payload { Timestamp = now };
            payload.Metrics.Add(MetricWire.Metric(null, _aliases[name], value, now, withDatatype: false));
            _sent[name] = value;
        }

        if (payload is null)
        {
            return null;
        }

        _seq = unchecked((byte)(_seq + 1));
        payload.Seq = _seq;
        return new SparkplugMessage(SparkplugMessageType.NData, Topics.NData, MetricWire.Bytes(payload), _seq, payload.Metrics.Count);
    }

    private ulong Alias(string name)
    {
        if (!_aliases.TryGetValue(name, out var alias))
        {
            alias = _nextAlias++;
            _aliases.Add(name, alias);
        }

        return alias;
    }

    private static bool SameSet(Dictionary<string, MetricValue> born, SparkplugMetrics metrics)
    {
        if (born.Count != metrics.Count)
        {
            return false;
        }

        foreach (var (name, value) in metrics)
        {
            if (!born.TryGetValue(name, out var before) || before.Type != value.Type)
            {
                return false;
            }
        }

        return true;
    }
}
