using System.Text.Json;

namespace Redundancy.Protocol.Control;

// The checks before deserialization: one pass of a reader over the line, no allocation for a valid request but the op's
// name, so that every mistake is answered in plain words naming its field, not with the serializer's message.
public static partial class ControlProtocol
{
    private static string? Scan(ReadOnlySpan<byte> utf8, out Fields fields)
    {
        fields = default;
        fields.V = Version;
        var reader = new Utf8JsonReader(utf8);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "request is not a JSON object: send one object per line, like {\"op\":\"status\"}";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                reader.Read();
                var problem = field switch
                {
                    Field.Op => ReadOp(ref reader, ref fields),
                    Field.V => ReadVersion(ref reader, ref fields),
                    _ => ReadField(ref reader, field, ref fields),
                };
                if (problem is not null)
                {
                    return problem;
                }
            }

            // Anything after the object (a second value, garbage) makes the reader throw here.
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return $"request is not a JSON object: {ex.Message}";
        }
    }

    private static string? Check(in Fields f)
    {
        if (f.V > Version)
        {
            return $"protocol version {Int(f.V)} is not supported: this agent speaks version {Int(Version)}";
        }

        if (f.V < 1)
        {
            return $"protocol version {Int(f.V)} does not exist (versions start at 1): this agent speaks version {Int(Version)}";
        }

        switch (f.Op)
        {
            case null:
                return $"request has no \"op\": use {OpNames}";
            case "set":
                return f.Key == JsonTokenType.String && f.HasValue ? null
                    : f.Key is JsonTokenType.None or JsonTokenType.Null || !f.HasValue ? "'set' needs \"key\" and \"value\"" : "\"key\" must be text";
            case "delete" or "get":
                return f.Key switch
                {
                    JsonTokenType.String => null,
                    JsonTokenType.None or JsonTokenType.Null => $"'{f.Op}' needs \"key\"",
                    _ => "\"key\" must be text",
                };
            case "list":
                return f.Prefix is JsonTokenType.None or JsonTokenType.Null or JsonTokenType.String ? null : "\"prefix\" must be text";
            case "events":
                if (f.Since != JsonTokenType.None && !f.SinceValid)
                {
                    return "\"since\" must be a whole number from 0: the newest event number already seen";
                }

                if (f.Max is not (JsonTokenType.None or JsonTokenType.Null) && !f.MaxValid)
                {
                    return "\"max\" must be a whole number from 1";
                }

                return f.WaitMs is not (JsonTokenType.None or JsonTokenType.Null) && !f.WaitMsValid
                    ? $"\"waitMs\" must be a whole number of milliseconds from 0 to {Int(MaxWaitMs)}"
                    : null;
            case "conflicts" or "status" or "diagnostics" or "release-startup":
                return null;
            case "maintenance":
                return f.On is JsonTokenType.True or JsonTokenType.False ? null : "'maintenance' needs \"on\": true or false";
            case "switchover" or "drill":
                if (f.Force is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.True or JsonTokenType.False))
                {
                    return "\"force\" must be true or false";
                }

                return f.TimeoutMs is not (JsonTokenType.None or JsonTokenType.Null) && !f.TimeoutMsValid
                    ? $"\"timeoutMs\" must be a whole number of milliseconds from 1 to {Int(MaxCommandMs)}"
                    : null;
            default:
                return $"unknown op '{f.Op}': use {OpNames}";
        }
    }

    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("op"u8) ? Field.Op
        : reader.ValueTextEquals("v"u8) ? Field.V
        : reader.ValueTextEquals("key"u8) ? Field.Key
        : reader.ValueTextEquals("value"u8) ? Field.Value
        : reader.ValueTextEquals("prefix"u8) ? Field.Prefix
        : reader.ValueTextEquals("since"u8) ? Field.Since
        : reader.ValueTextEquals("max"u8) ? Field.Max
        : reader.ValueTextEquals("waitMs"u8) ? Field.WaitMs
        : reader.ValueTextEquals("on"u8) ? Field.On
        : reader.ValueTextEquals("force"u8) ? Field.Force
        : reader.ValueTextEquals("timeoutMs"u8) ? Field.TimeoutMs
        : Field.Other;

    private static string? ReadOp(ref Utf8JsonReader reader, ref Fields fields)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return $"\"op\" must be text: use {OpNames}";
        }

        if (!IsText(ref reader))
        {
            return Unpaired("op");
        }

        fields.Op = reader.GetString();
        return null;
    }

    private static string? ReadVersion(ref Utf8JsonReader reader, ref Fields fields)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var v))
        {
            return $"\"v\" must be a whole number, the protocol version: this agent speaks version {Int(Version)}";
        }

        fields.V = v;
        return null;
    }

    private static string? ReadField(ref Utf8JsonReader reader, Field field, ref Fields fields)
    {
        var token = reader.TokenType;
        switch (field)
        {
            case Field.Key:
                fields.Key = token;
                break;
            case Field.Value:
                fields.HasValue = true;
                break;
            case Field.Prefix:
                fields.Prefix = token;
                break;
            case Field.Since:
                fields.Since = token;
                fields.SinceValid = token == JsonTokenType.Number && reader.TryGetInt64(out var since) && since >= 0;
                break;
            case Field.Max:
                fields.Max = token;
                fields.MaxValid = token == JsonTokenType.Number && reader.TryGetInt32(out var max) && max >= 1;
                break;
            case Field.On:
                fields.On = token;
                break;
            case Field.Force:
                fields.Force = token;
                break;
            case Field.TimeoutMs:
                fields.TimeoutMs = token;
                fields.TimeoutMsValid = token == JsonTokenType.Number && reader.TryGetInt32(out var timeout) && timeout is >= 1 and <= MaxCommandMs;
                break;
            case Field.WaitMs:
                fields.WaitMs = token;
                fields.WaitMsValid = token == JsonTokenType.Number && reader.TryGetInt32(out var wait) && wait is >= 0 and <= MaxWaitMs;
                break;
        }

        return AllText(ref reader) ? null : Unpaired(field == Field.Other ? "a field" : NameOf(field));
    }

    // Every string in the value (and every property name inside it) must decode: JSON may escape an unpaired surrogate
    // ("\ud800"), which .NET refuses to turn into text and UTF-8 cannot encode. Leaves the reader on the value's last token.
    private static bool AllText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return reader.TokenType != JsonTokenType.String || IsText(ref reader);
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsText(ref reader))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return true; // the reader already refused invalid UTF-8
        }

        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Unpaired(string name) =>
        $"\"{name}\" must be valid text: it has an unpaired surrogate, which UTF-8 cannot encode";

    private static string NameOf(Field field) => field switch
    {
        Field.Key => "key",
        Field.Value => "value",
        Field.Prefix => "prefix",
        Field.Since => "since",
        Field.Max => "max",
        Field.On => "on",
        Field.Force => "force",
        Field.TimeoutMs => "timeoutMs",
        _ => "waitMs",
    };

    private enum Field
    {
        Other,
        Op,
        V,
        Key,
        Value,
        Prefix,
        Since,
        Max,
        WaitMs,
        On,
        Force,
        TimeoutMs,
    }

    private struct Fields
    {
        public string? Op;
        public int V;
        public JsonTokenType Key;
        public bool HasValue;
        public JsonTokenType Prefix;
        public JsonTokenType Since;
        public bool SinceValid;
        public JsonTokenType Max;
        public bool MaxValid;
        public JsonTokenType WaitMs;
        public bool WaitMsValid;
        public JsonTokenType On;
        public JsonTokenType Force;
        public JsonTokenType TimeoutMs;
        public bool TimeoutMsValid;
    }
}
