using System.Text.Json;
using Redundancy.Core.Outputs;
using Redundancy.Core.Replication;

namespace Redundancy.Agent.State;

/// <summary>
/// The desired output values, mirrored from the control state (keys <c>outputs/&lt;channel&gt;</c>, JSON true or
/// false) so the engine can read them at takeover without touching the database. Updated by the storage thread
/// whenever a change is applied, on the active and on the standby alike: the standby always knows what the
/// outputs should be. Thread-safe.
/// </summary>
internal sealed class OutputValues
{
    /// <summary>Key prefix of output values in the control state.</summary>
    public const string Prefix = "outputs/";

    private readonly IReadOnlyList<OutputChannel> _channels;
    private readonly int[] _values;
    private int _version;

    public OutputValues(IReadOnlyList<OutputChannel> channels)
    {
        _channels = channels;
        _values = channels.Select(c => c.SafeValue ? 1 : 0).ToArray();
    }

    /// <summary>Increases whenever a value changes; the engine compares it to know when to drive.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>The desired value of channel <paramref name="index"/>.</summary>
    public bool this[int index] => Volatile.Read(ref _values[index]) != 0;

    /// <summary>The channel index for <paramref name="key"/>, or -1 when it is not an output key.</summary>
    public int ChannelOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        for (var i = 0; i < _channels.Count; i++)
        {
            if (string.CompareOrdinal(key, Prefix.Length, _channels[i].Name, 0, int.MaxValue) == 0 && key.Length == Prefix.Length + _channels[i].Name.Length)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Checks a value written to an output key: JSON true or false.</summary>
    public static string? Problem(string? value) =>
        value is null or "true" or "false" ? null : "an output value must be the JSON literal true or false";

    /// <summary>Applies the output keys among <paramref name="entries"/>.</summary>
    public void Apply(IEnumerable<ChangeEntry> entries)
    {
        foreach (var e in entries)
        {
            var i = ChannelOf(e.Key);
            if (i >= 0)
            {
                Set(i, e.Value is null ? _channels[i].SafeValue : ParseBool(e.Value, _channels[i].SafeValue));
            }
        }
    }

    /// <summary>Resets every channel from a full state (after a snapshot), unset ones to their safe value.</summary>
    public void Reset(IEnumerable<ChangeEntry> rows)
    {
        for (var i = 0; i < _channels.Count; i++)
        {
            Set(i, _channels[i].SafeValue);
        }

        Apply(rows);
    }

    private void Set(int i, bool value)
    {
        if (Interlocked.Exchange(ref _values[i], value ? 1 : 0) != (value ? 1 : 0))
        {
            Interlocked.Increment(ref _version);
        }
    }

    private static bool ParseBool(string json, bool fallback)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => fallback,
            };
        }
        catch (JsonException)
        {
            return fallback;
        }
    }
}
