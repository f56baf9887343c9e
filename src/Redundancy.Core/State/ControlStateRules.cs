using System.Globalization;
using System.Text.Json;

namespace Redundancy.Core.State;

/// <summary>
/// The one rule for what a control-state key and value may be, used by every way in: the control socket, the
/// in-process API, the store and the change log (whose wire format carries a key in at most
/// <see cref="MaxKeyBytes"/> UTF-8 bytes). Limits are in UTF-8 bytes, never characters: "é" is one character and two
/// bytes. Pure, thread-safe; checking a valid key or value allocates nothing but the JSON parse.
/// </summary>
public static class ControlStateRules
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 256;

    /// <summary>The largest value, in UTF-8 bytes of JSON text (64 KiB).</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>What is wrong with <paramref name="key"/>, or null when it may be written: 1 to
    /// <see cref="MaxKeyBytes"/> UTF-8 bytes of text with no control characters and no unpaired surrogate.</summary>
    public static string? KeyProblem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return $"key must be 1 to {MaxKeyBytes} UTF-8 bytes of printable text; it is empty";
        }

        var bytes = 0;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsControl(c))
            {
                return $"key must be 1 to {MaxKeyBytes} UTF-8 bytes of printable text; it has a control character (U+{(int)c:X4}) at index {i}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"key must be valid text: it has an unpaired surrogate (U+{(int)c:X4}) at index {i}, which UTF-8 cannot encode";
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }

            if (bytes > MaxKeyBytes)
            {
                return $"key must be 1 to {MaxKeyBytes} UTF-8 bytes of printable text; \"{Shown(key)}\" is longer ({Utf8Length(key)} bytes in {key.Length} characters)";
            }
        }

        return null;
    }

    /// <summary>
    /// What is wrong with the value <paramref name="json"/> of <paramref name="key"/> as the store must see it, or null:
    /// at most <see cref="MaxValueBytes"/> UTF-8 bytes of valid text (null is a tombstone and always fits). Cheap: the
    /// store checks every entry it writes with this. <see cref="WriteProblem"/> also checks that it is JSON.
    /// </summary>
    public static string? StoredValueProblem(string key, string? json)
    {
        if (json is null)
        {
            return null;
        }

        if (json.Length > MaxValueBytes)
        {
            return $"value of {Shown(key)} is larger than {MaxValueBytes} UTF-8 bytes";
        }

        var bytes = 0;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (char.IsHighSurrogate(c) && i + 1 < json.Length && char.IsLowSurrogate(json[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"value of {Shown(key)} has an unpaired surrogate (U+{(int)c:X4}) at index {i}, which UTF-8 cannot encode";
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }

        return bytes > MaxValueBytes ? $"value of {Shown(key)} is {bytes} UTF-8 bytes; the largest is {MaxValueBytes}" : null;
    }

    /// <summary>What is wrong with writing <paramref name="json"/> (null: a delete) to <paramref name="key"/>, or null:
    /// <see cref="KeyProblem"/>, <see cref="StoredValueProblem"/>, and the value must be one JSON document.</summary>
    public static string? WriteProblem(string? key, string? json)
    {
        if (KeyProblem(key) is { } keyProblem)
        {
            return keyProblem;
        }

        if (StoredValueProblem(key!, json) is { } valueProblem)
        {
            return valueProblem;
        }

        return json is null ? null : JsonProblem(key!, json);
    }

    /// <summary>What is wrong with <paramref name="json"/>, the stored value of <paramref name="key"/>, as JSON, or
    /// null when it parses. For readers: a value written by an older build, or damaged, is reported, not thrown.</summary>
    public static string? JsonProblem(string key, string json)
    {
        try
        {
            using var _ = JsonDocument.Parse(json);
            return null;
        }
        catch (JsonException ex)
        {
            return $"value of {Shown(key)} is not JSON: {ex.Message}";
        }
    }

    /// <summary>A key as it may be quoted in a message: at most 64 characters, control characters and unpaired
    /// surrogates replaced with '?'.</summary>
    public static string Shown(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var shown = key.Length > 64 ? key[..64] + "..." : key;
        var chars = shown.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var pair = char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]);
            if (pair)
            {
                i++;
            }
            else if (char.IsControl(chars[i]) || char.IsSurrogate(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    private static string Utf8Length(string s)
    {
        var bytes = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
