using System.Diagnostics.CodeAnalysis;

namespace Redundancy.Sparkplug;

/// <summary>
/// One edge node's Sparkplug B topics, <c>spBv1.0/&lt;group id&gt;/NBIRTH|NDATA|NDEATH|NCMD/&lt;edge node id&gt;</c>,
/// and the primary host's <c>spBv1.0/STATE/&lt;host id&gt;</c>. Ids are checked once, here: a valid UTF-8 string,
/// not empty, without the reserved '/', '+' and '#' (Sparkplug 3.0, topic namespace) or NUL (MQTT). Immutable, thread-safe.
/// </summary>
public sealed class SparkplugTopics
{
    /// <summary>The Sparkplug B namespace, the first topic level.</summary>
    public const string Namespace = "spBv1.0";

    private static readonly (char Char, string Why)[] Reserved =
    [
        ('/', "it separates MQTT topic levels"),
        ('+', "the MQTT single-level wildcard"),
        ('#', "the MQTT multi-level wildcard"),
    ];

    /// <summary>The topics of the given group and edge node.</summary>
    /// <exception cref="ArgumentException">An id is empty or holds '/', '+', '#', NUL or a lone surrogate; the message says which.</exception>
    public SparkplugTopics(string groupId, string edgeNodeId)
    {
        ThrowIfInvalid(groupId, "group id", nameof(groupId));
        ThrowIfInvalid(edgeNodeId, "edge node id", nameof(edgeNodeId));
        GroupId = groupId;
        EdgeNodeId = edgeNodeId;
        NBirth = Topic(SparkplugMessageType.NBirth);
        NData = Topic(SparkplugMessageType.NData);
        NDeath = Topic(SparkplugMessageType.NDeath);
        NCmd = Topic(SparkplugMessageType.NCmd);
    }

    /// <summary>The group id (second topic level).</summary>
    public string GroupId { get; }

    /// <summary>The edge node id (last topic level).</summary>
    public string EdgeNodeId { get; }

    /// <summary><c>spBv1.0/&lt;group&gt;/NBIRTH/&lt;node&gt;</c>.</summary>
    public string NBirth { get; }

    /// <summary><c>spBv1.0/&lt;group&gt;/NDATA/&lt;node&gt;</c>.</summary>
    public string NData { get; }

    /// <summary><c>spBv1.0/&lt;group&gt;/NDEATH/&lt;node&gt;</c>: the Will's topic.</summary>
    public string NDeath { get; }

    /// <summary><c>spBv1.0/&lt;group&gt;/NCMD/&lt;node&gt;</c>: subscribe to it (QoS 1) for rebirth requests.</summary>
    public string NCmd { get; }

    /// <summary>The topic of a message type.</summary>
    public string this[SparkplugMessageType type] => type switch
    {
        SparkplugMessageType.NBirth => NBirth,
        SparkplugMessageType.NData => NData,
        SparkplugMessageType.NDeath => NDeath,
        SparkplugMessageType.NCmd => NCmd,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an edge node message type"),
    };

    /// <summary>Like the constructor, but an id that is not valid gives <paramref name="error"/> instead of an exception.</summary>
    public static bool TryCreate(string? groupId, string? edgeNodeId, [NotNullWhen(true)] out SparkplugTopics? topics, [NotNullWhen(false)] out string? error)
    {
        topics = null;
        error = CheckId(groupId, "group id") ?? CheckId(edgeNodeId, "edge node id");
        if (error is not null)
        {
            return false;
        }

        topics = new SparkplugTopics(groupId!, edgeNodeId!);
        return true;
    }

    /// <summary>The primary host's STATE topic, <c>spBv1.0/STATE/&lt;host id&gt;</c>: subscribe to it (QoS 1).</summary>
    /// <exception cref="ArgumentException">The host id is not valid; the message says why.</exception>
    public static string State(string hostId)
    {
        ThrowIfInvalid(hostId, "host id", nameof(hostId));
        return $"{Namespace}/STATE/{hostId}";
    }

    /// <summary>
    /// Checks one topic id; null when it is valid, else what is wrong in plain words, naming <paramref name="what"/>
    /// ("group id", "edge node id", "host id") and the id.
    /// </summary>
    public static string? CheckId(string? id, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"the Sparkplug {what} must not be empty";
        }

        foreach (var (c, why) in Reserved)
        {
            if (id.Contains(c, StringComparison.Ordinal))
            {
                return $"the Sparkplug {what} '{id}' must not contain '{c}' ({why})";
            }
        }

        if (id.Contains('\0', StringComparison.Ordinal))
        {
            return $"the Sparkplug {what} must not contain the NUL character (MQTT forbids it in topics)";
        }

        // A lone surrogate has no UTF-8 form: the broker would get a different topic from the one meant.
        if (!IsValidUtf16(id))
        {
            return $"the Sparkplug {what} '{id}' is not valid text (a lone UTF-16 surrogate)";
        }

        return null;
    }

    private static void ThrowIfInvalid(string? id, string what, string parameter)
    {
        if (CheckId(id, what) is { } error)
        {
            throw new ArgumentException(error, parameter);
        }
    }

    private static bool IsValidUtf16(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private string Topic(SparkplugMessageType type) => $"{Namespace}/{GroupId}/{type.ToString().ToUpperInvariant()}/{EdgeNodeId}";

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{GroupId}/*/{EdgeNodeId}";
}
