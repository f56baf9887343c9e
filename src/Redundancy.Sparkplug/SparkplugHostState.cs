using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Redundancy.Sparkplug;

/// <summary>
/// A Sparkplug 3.0 host application's STATE message: topic <c>spBv1.0/STATE/&lt;host id&gt;</c>, JSON payload
/// <c>{"online":true|false,"timestamp":&lt;ms since 1970 UTC&gt;}</c>, retained, published by the host as its birth
/// and, as its Will, its death. An edge node with a primary host waits for it to be online before NBIRTH, and on
/// offline publishes NDEATH and disconnects; in both cases only for a message that <see cref="Supersedes"/> the
/// last one seen (the specification orders STATE messages by timestamp, not arrival). Immutable.
/// </summary>
/// <param name="HostId">The host id, the topic's last level: compare it with the configured primary host.</param>
/// <param name="Online">Whether the host is online.</param>
/// <param name="TimestampMs">The host's timestamp, ms since 1970 UTC.</param>
public sealed record SparkplugHostState(string HostId, bool Online, long TimestampMs)
{
    private const string Prefix = SparkplugTopics.Namespace + "/STATE/";

    /// <summary>Whether this message is to be taken over <paramref name="previous"/> (the last one taken from the
    /// same host): its timestamp is not older. Any message supersedes none.</summary>
    public bool Supersedes(SparkplugHostState? previous) => previous is null || TimestampMs >= previous.TimestampMs;

    /// <summary>
    /// Reads a STATE message. On success <paramref name="state"/> is the host's state; else <paramref name="error"/>
    /// says in plain words what is wrong: a topic that is not <c>spBv1.0/STATE/&lt;host id&gt;</c>, a payload that is
    /// not a JSON object, "online" missing or not true/false, "timestamp" missing or not whole milliseconds from 0.
    /// Other keys are ignored. Never throws.
    /// </summary>
    public static bool TryParse(string? topic, ReadOnlySpan<byte> payload, [NotNullWhen(true)] out SparkplugHostState? state, [NotNullWhen(false)] out string? error)
    {
        state = null;
        var online = false;
        var timestamp = 0L;
        error = CheckTopic(topic, out var hostId) ?? ReadPayload(payload, out online, out timestamp);
        if (error is not null)
        {
            return false;
        }

        state = new SparkplugHostState(hostId!, online, timestamp);
        return true;
    }

    private static string? CheckTopic(string? topic, out string? hostId)
    {
        hostId = null;
        if (topic is null || !topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return topic is not null && topic.StartsWith("STATE/", StringComparison.Ordinal)
                ? $"STATE topic '{topic}' is Sparkplug 2.2's form: a 3.0 host publishes on '{Prefix}<host id>'"
                : $"'{topic}' is not a STATE topic: it must be '{Prefix}<host id>'";
        }

        hostId = topic[Prefix.Length..];
        return SparkplugTopics.CheckId(hostId, "host id") is { } bad ? $"STATE topic '{topic}': {bad}" : null;
    }

    private static string? ReadPayload(ReadOnlySpan<byte> payload, out bool online, out long timestamp)
    {
        online = false;
        timestamp = 0;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException ex)
        {
            return IsLegacy(payload)
                ? "STATE payload is Sparkplug 2.2's plain ONLINE/OFFLINE: a 3.0 host sends {\"online\":true|false,\"timestamp\":ms}"
                : $"STATE payload is not JSON: {ex.Message}";
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return $"STATE payload must be a JSON object, not {root.ValueKind.ToString().ToLowerInvariant()}";
            }

            if (!root.TryGetProperty("online", out var onlineValue))
            {
                return "STATE payload has no \"online\"";
            }

            if (onlineValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return $"STATE \"online\" must be true or false, not {Show(onlineValue)}";
            }

            if (!root.TryGetProperty("timestamp", out var timestampValue))
            {
                return "STATE payload has no \"timestamp\"";
            }

            if (timestampValue.ValueKind != JsonValueKind.Number || !timestampValue.TryGetInt64(out timestamp) || timestamp < 0)
            {
                return $"STATE \"timestamp\" must be whole milliseconds since 1970 (0 or more), not {Show(timestampValue)}";
            }

            online = onlineValue.ValueKind == JsonValueKind.True;
            return null;
        }
    }

    // A host's payload goes into our log: keep a hostile one short.
    private static string Show(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : string.Concat(raw.AsSpan(0, 40), "...");
    }

    private static bool IsLegacy(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > 16)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(payload).Trim();
        return text.Equals("ONLINE", StringComparison.OrdinalIgnoreCase) || text.Equals("OFFLINE", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{HostId} {(Online ? "online" : "offline")} at {TimestampMs.ToString(CultureInfo.InvariantCulture)}";
}
