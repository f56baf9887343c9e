using System.Text.Json;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// One structured log event of an agent, read from its JSON log: for diagnostics and the log events with no node
/// event (replication 2xx, listeners 60x, drops 103, warnings 502 ...). Role changes, takeovers, alarms, links and
/// stalls are read from the agent's event stream instead (<see cref="AgentProcess.NodeEvents"/>).
/// </summary>
/// <param name="Node">The node that logged it.</param>
/// <param name="Id">Event id (201 standby connected, 207 snapshot installed, 502 warning, ...).</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Fields">The structured fields.</param>
/// <param name="T">When the harness read it (machine monotonic clock).</param>
public sealed record AgentEvent(string Node, int Id, string Message, IReadOnlyDictionary<string, string> Fields, long T)
{
    /// <summary>A field's value, or "".</summary>
    public string this[string field] => Fields.TryGetValue(field, out var v) ? v : string.Empty;

    /// <summary>A numeric field.</summary>
    public double Number(string field) => double.Parse(this[field], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses one JSON log line; null when it is not one.</summary>
    public static AgentEvent? TryParse(string node, string line, long t)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var fields = new Dictionary<string, string>();
            if (root.TryGetProperty("State", out var state) && state.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in state.EnumerateObject())
                {
                    fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }

            return new AgentEvent(
                node,
                root.TryGetProperty("EventId", out var id) ? id.GetInt32() : 0,
                root.TryGetProperty("Message", out var m) ? m.GetString() ?? string.Empty : string.Empty,
                fields,
                t);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
