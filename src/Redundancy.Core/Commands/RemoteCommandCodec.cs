using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Redundancy.Core.Commands;

/// <summary>
/// The remote command's wire form (docs/mqtt.md, "Remote commands"): an envelope <c>{"body": "&lt;JSON text&gt;", "mac":
/// "&lt;64 hex&gt;"}</c> whose MAC is HMAC-SHA256 with the pair key over <c>"redundancy-command-v1\n" + topic + "\n" +
/// body</c> (UTF-8). The topic is in the MAC, so a command for one node cannot be replayed to the other; the reply is
/// signed the same way with <c>redundancy-reply-v1</c> and the reply topic, so a client can trust it. Pure: no I/O, no
/// clock (freshness and replays are <see cref="RemoteCommandGuard"/>'s).
/// </summary>
public static class RemoteCommandCodec
{
    /// <summary>Longest message on the command topic, in bytes; a longer one is refused unread.</summary>
    public const int MaxPayload = 4096;

    /// <summary>Longest switchover wait a command may ask for (as the control protocol's).</summary>
    public const int MaxTimeoutMs = 60_000;

    /// <summary>The MAC domain of a command.</summary>
    public const string CommandDomain = "redundancy-command-v1";

    /// <summary>The MAC domain of a reply.</summary>
    public const string ReplyDomain = "redundancy-reply-v1";

    private const int MacHex = 64;

    /// <summary>Wraps <paramref name="body"/> for <paramref name="topic"/> in an envelope with its MAC.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, string domain, string topic, string body)
    {
        var mac = Convert.ToHexStringLower(Mac(key, domain, topic, body));
        var buffer = new ArrayBufferWriter<byte>(body.Length + 96);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("body", body);
            w.WriteString("mac", mac);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The MAC of <paramref name="body"/> on <paramref name="topic"/> in <paramref name="domain"/>.</summary>
    public static byte[] Mac(ReadOnlySpan<byte> key, string domain, string topic, string body) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{domain}\n{topic}\n{body}"));

    /// <summary>
    /// Opens an envelope: the body when the MAC is the pair key's over <paramref name="topic"/> in
    /// <paramref name="domain"/>; else the refusal (<see cref="RemoteRefusal.TooLarge"/>, <see cref="RemoteRefusal.Malformed"/>
    /// or <see cref="RemoteRefusal.BadMac"/>) and what is wrong.
    /// </summary>
    public static RemoteRefusal Open(ReadOnlySpan<byte> key, string domain, string topic, ReadOnlySpan<byte> payload, out string body, out string? problem)
    {
        body = string.Empty;
        if (payload.Length > MaxPayload)
        {
            problem = $"message of {payload.Length} bytes, at most {MaxPayload} are read";
            return RemoteRefusal.TooLarge;
        }

        string? text = null;
        string? macHex = null;
        try
        {
            var r = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 4 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object: an envelope is {\"body\": \"<request JSON>\", \"mac\": \"<HMAC-SHA256 hex>\"}";
                return RemoteRefusal.Malformed;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = r.GetString();
                if (!r.Read())
                {
                    break;
                }

                switch (name)
                {
                    case "body" when r.TokenType == JsonTokenType.String && text is null:
                        text = r.GetString();
                        break;
                    case "mac" when r.TokenType == JsonTokenType.String && macHex is null:
                        macHex = r.GetString();
                        break;
                    default:
                        problem = $"envelope field '{name}' is unknown, repeated or not a string: an envelope is {{\"body\": \"...\", \"mac\": \"...\"}}";
                        return RemoteRefusal.Malformed;
                }
            }

            if (r.TokenType != JsonTokenType.EndObject || r.Read())
            {
                problem = "the envelope does not end after its object";
                return RemoteRefusal.Malformed;
            }
        }
        catch (JsonException ex)
        {
            problem = $"not JSON: {ex.Message}";
            return RemoteRefusal.Malformed;
        }

        if (text is null || macHex is null)
        {
            problem = $"the envelope has no '{(text is null ? "body" : "mac")}'";
            return RemoteRefusal.Malformed;
        }

        if (macHex.Length != MacHex || !IsHex(macHex))
        {
            problem = $"'mac' must be {MacHex} hex digits (HMAC-SHA256)";
            return RemoteRefusal.Malformed;
        }

        if (!CryptographicOperations.FixedTimeEquals(Mac(key, domain, topic, text), Convert.FromHexString(macHex)))
        {
            problem = $"the MAC is not the pair key's over this topic ({topic}) and body: wrong key, wrong topic, or altered on the way";
            return RemoteRefusal.BadMac;
        }

        body = text;
        problem = null;
        return RemoteRefusal.None;
    }

    /// <summary>
    /// Reads an authentic command body. Refused (<see cref="RemoteRefusal.BadRequest"/>) unless it is an object with
    /// <c>"v": 1</c>, <c>"op"</c> (<c>switchover</c> or <c>maintenance</c>), <c>"ts"</c> (Unix ms), <c>"nonce"</c>
    /// (16-64 of A-Z a-z 0-9 _ -) and <c>"requester"</c> (1-64 characters), an optional <c>"id"</c> (1-64), and for
    /// maintenance <c>"on"</c>, for a switchover optionally <c>"force"</c> and <c>"timeoutMs"</c> (1-60000); nothing
    /// else. <paramref name="command"/> holds what could be read even when refused (its id and nonce address the reply).
    /// </summary>
    public static RemoteRefusal ReadBody(string body, out RemoteCommand? command, out string? problem)
    {
        command = null;
        int? version = null;
        string? op = null;
        long? ts = null;
        string? nonce = null;
        string? requester = null;
        string? id = null;
        bool? on = null;
        bool? force = null;
        long? timeout = null;
        problem = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(body), new JsonReaderOptions { MaxDepth = 4 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                problem = "the body is not a JSON object";
                return RemoteRefusal.BadRequest;
            }

            while (problem is null && r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = r.GetString()!;
                r.Read();
                if (!seen.Add(name))
                {
                    problem = $"'{name}' is given twice";
                    break;
                }

                switch (name)
                {
                    case "v":
                        version = r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var v) ? v : -1;
                        break;
                    case "op":
                        op = String(ref r, name, ref problem);
                        break;
                    case "ts":
                        ts = r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var t) ? t : Bad(name, "an integer (Unix milliseconds)", ref problem);
                        break;
                    case "nonce":
                        nonce = String(ref r, name, ref problem);
                        break;
                    case "requester":
                        requester = String(ref r, name, ref problem);
                        break;
                    case "id":
                        id = String(ref r, name, ref problem);
                        break;
                    case "on":
                        on = Bool(ref r, name, ref problem);
                        break;
                    case "force":
                        force = Bool(ref r, name, ref problem);
                        break;
                    case "timeoutMs":
                        timeout = r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var ms) ? ms : Bad(name, "an integer", ref problem);
                        break;
                    default:
                        problem = $"'{name}' is not a field of a command (v, op, ts, nonce, requester, id, on, force, timeoutMs)";
                        break;
                }

                if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    problem ??= $"'{name}' must not be an object or array";
                }
            }
        }
        catch (JsonException ex)
        {
            problem = $"the body is not JSON: {ex.Message}";
        }

        var readable = nonce is not null && NonceProblem(nonce) is null ? nonce : null;
        var shownId = id is not null && TextProblem(id) is null ? id : null;
        if (problem is null)
        {
            problem = version != 1 ? $"'v' must be 1 (this agent speaks version 1), not {(version is null ? "missing" : version.Value.ToString(CultureInfo.InvariantCulture))}"
                : op is not ("switchover" or "maintenance") ? $"'op' must be \"switchover\" or \"maintenance\" (only these are served remotely), not {Shown(op)}"
                : ts is null ? "'ts' (Unix milliseconds when sent) is missing"
                : nonce is null ? "'nonce' is missing"
                : NonceProblem(nonce) is { } n ? n
                : requester is null ? "'requester' (who sends it, named in the events) is missing"
                : TextProblem(requester) is { } q ? $"'requester' {q}"
                : id is not null && TextProblem(id) is { } i ? $"'id' {i}"
                : op == "maintenance" && on is null ? "maintenance needs 'on' (true or false)"
                : op == "maintenance" && (force is not null || timeout is not null) ? "maintenance takes only 'on'"
                : op == "switchover" && on is not null ? "a switchover takes 'force' and 'timeoutMs', not 'on'"
                : timeout is not null && timeout is < 1 or > MaxTimeoutMs ? $"'timeoutMs' must be 1-{MaxTimeoutMs}, not {timeout}"
                : null;
        }

        command = new RemoteCommand(
            op == "maintenance" ? RemoteOp.Maintenance : RemoteOp.Switchover, on ?? false, force ?? false, (int?)timeout,
            requester is not null && TextProblem(requester) is null ? requester : "?", shownId, readable ?? string.Empty, ts ?? 0);
        return problem is null ? RemoteRefusal.None : RemoteRefusal.BadRequest;
    }

    /// <summary>What is wrong with a nonce, or null: 16-64 characters of A-Z a-z 0-9 _ - (e.g. 32 hex digits of a random 16 bytes).</summary>
    public static string? NonceProblem(string nonce) =>
        nonce.Length is < 16 or > 64 || !nonce.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? "'nonce' must be 16-64 characters of A-Z a-z 0-9 _ - (e.g. 32 hex digits of 16 random bytes), new for every command"
            : null;

    private static string? TextProblem(string text) =>
        text.Length is < 1 or > 64 || text.Any(char.IsControl) ? "must be 1-64 characters, none of them control characters" : null;

    private static string Shown(string? text) => text is null ? "missing" : $"\"{(text.Length > 32 ? text[..32] + "..." : text)}\"";

    private static string? String(ref Utf8JsonReader r, string name, ref string? problem)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            return r.GetString();
        }

        problem ??= $"'{name}' must be a string";
        return null;
    }

    private static bool? Bool(ref Utf8JsonReader r, string name, ref string? problem)
    {
        if (r.TokenType is JsonTokenType.True or JsonTokenType.False)
        {
            return r.GetBoolean();
        }

        problem ??= $"'{name}' must be true or false";
        return null;
    }

    private static long? Bad(string name, string what, ref string? problem)
    {
        problem ??= $"'{name}' must be {what}";
        return null;
    }

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
