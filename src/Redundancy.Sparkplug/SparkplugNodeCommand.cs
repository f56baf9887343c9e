using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Google.Protobuf;
using Redundancy.Sparkplug.Wire;

namespace Redundancy.Sparkplug;

/// <summary>
/// What a host application asked of the node in an NCMD. The agent acts only on <c>Node Control/Rebirth</c> = true
/// (publish a new <see cref="SparkplugSession.Birth"/>, same bdSeq); every other metric is listed in
/// <see cref="Ignored"/> for the log. Immutable.
/// </summary>
/// <param name="Rebirth">Whether the host asked for a rebirth.</param>
/// <param name="Ignored">Metrics the node does not act on, by name or as "alias N", in payload order.</param>
public sealed record SparkplugNodeCommand(bool Rebirth, IReadOnlyList<string> Ignored)
{
    /// <summary>
    /// Reads an NCMD payload. On success <paramref name="command"/> says whether a rebirth is asked for; else
    /// <paramref name="error"/> says in plain words what is wrong: bytes that are not a Sparkplug B protobuf payload,
    /// or a Node Control/Rebirth metric that is not a Boolean with a value. An empty payload is a valid command that
    /// asks nothing. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out SparkplugNodeCommand? command, [NotNullWhen(false)] out string? error)
    {
        command = null;
        Payload parsed;
        try
        {
            parsed = Payload.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            error = $"NCMD payload ({payload.Length} bytes) is not a Sparkplug B payload: {ex.Message}";
            return false;
        }
#pragma warning disable CA1031 // The contract is "never throws": a parser fault on hostile bytes is a refusal too.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = $"NCMD payload ({payload.Length} bytes) could not be read: {ex.GetType().Name}: {ex.Message}";
            return false;
        }

        var rebirth = false;
        var ignored = new List<string>();
        foreach (var metric in parsed.Metrics)
        {
            if (!metric.HasName || metric.Name != SparkplugSession.RebirthMetric)
            {
                ignored.Add(metric.HasName ? metric.Name : metric.HasAlias ? $"alias {metric.Alias.ToString(CultureInfo.InvariantCulture)}" : "a metric with neither name nor alias");
                continue;
            }

            if (metric.HasDatatype && metric.Datatype != (uint)SparkplugDataType.Boolean)
            {
                error = $"NCMD metric '{SparkplugSession.RebirthMetric}' has datatype {metric.Datatype.ToString(CultureInfo.InvariantCulture)}: it must be Boolean ({(int)SparkplugDataType.Boolean})";
                return false;
            }

            if (MetricWire.Read(metric, SparkplugDataType.Boolean) is not { IsNull: false } value)
            {
                error = $"NCMD metric '{SparkplugSession.RebirthMetric}' must have a Boolean value (true to ask for a rebirth); it has {Describe(metric)}";
                return false;
            }

            rebirth |= (bool)value.Value!;
        }

        command = new SparkplugNodeCommand(rebirth, ignored);
        error = null;
        return true;
    }

    private static string Describe(Payload.Types.Metric metric) =>
        metric.HasIsNull && metric.IsNull ? "a null value"
        : metric.ValueCase == Payload.Types.Metric.ValueOneofCase.None ? "no value"
        : $"a {metric.ValueCase} instead";
}
