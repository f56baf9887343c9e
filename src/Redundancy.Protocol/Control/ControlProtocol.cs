using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Redundancy.Protocol.Control;

/// <summary>
/// The control protocol's rules in one place: its version, the parsing of one request line into a typed
/// <see cref="ControlRequest"/> or a plain-words error, and the writing and reading of answers, all through
/// <see cref="ControlJsonContext"/>. See docs/control-protocol.md. Pure and thread-safe.
/// </summary>
public static partial class ControlProtocol
{
    /// <summary>The protocol version this build speaks (<c>v</c>). Raised only when a field changes meaning or goes
    /// away; new ops and new fields, which an older reader ignores, keep it.</summary>
    public const int Version = 1;

    /// <summary>The longest an <see cref="EventsRequest"/> may wait for an event, in milliseconds (30 s).</summary>
    public const int MaxWaitMs = 30_000;

    /// <summary>The ops, as error messages list them.</summary>
    public const string OpNames = "set, delete, get, list, conflicts, status, diagnostics, events, maintenance, switchover, drill or release-startup";

    /// <summary>Longest a switchover or drill may be given to finish (<c>timeoutMs</c>).</summary>
    public const int MaxCommandMs = 60_000;

    // The context's options with the relaxed escaper: lines are read by people (socat, the CLI's --json) and by JSON
    // parsers, never put into HTML, so "'", "+" and "é" stay as they are instead of \u0027, \u002B and \u00E9.
    private static readonly JsonSerializerOptions Options = new(ControlJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonTypeInfo<ControlRequest> RequestInfo = (JsonTypeInfo<ControlRequest>)Options.GetTypeInfo(typeof(ControlRequest));
    private static readonly JsonTypeInfo<ControlResponse> ResponseInfo = (JsonTypeInfo<ControlResponse>)Options.GetTypeInfo(typeof(ControlResponse));

    /// <summary>
    /// Parses one request line (without its newline). On success <paramref name="request"/> is the typed request; else
    /// <paramref name="error"/> says what is wrong in plain words, naming the field: a line that is not one JSON object,
    /// a version this build does not speak, an unknown op, a missing or mistyped field, text with an unpaired surrogate.
    /// Never throws for any input.
    /// </summary>
    public static bool TryParseRequest(string line, [NotNullWhen(true)] out ControlRequest? request, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(line, rented);
            return TryParseRequest(rented.AsSpan(0, length), out request, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses one request line of UTF-8 (without its newline); see <see cref="TryParseRequest(string, out ControlRequest?, out string?)"/>.</summary>
    public static bool TryParseRequest(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out ControlRequest? request, [NotNullWhen(false)] out string? error)
    {
        request = null;
        error = Scan(utf8, out var fields) ?? Check(fields);
        if (error is not null)
        {
            return false;
        }

        try
        {
            request = JsonSerializer.Deserialize(utf8, RequestInfo);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            // The scan above checks every field an op reads; this is for what it does not foresee.
            error = $"request is not valid: {Simplify(ex.Message)}";
            return false;
        }

        if (request is null)
        {
            error = "request is not a JSON object: it is null";
            return false;
        }

        return true;
    }

    /// <summary>The request as one line of JSON (without the newline), <c>op</c> first.</summary>
    public static string Format(ControlRequest request) => JsonSerializer.Serialize(request, RequestInfo);

    /// <summary>The answer as one line of JSON (without the newline), <c>ok</c> first.</summary>
    public static string Format(ControlResponse response) => JsonSerializer.Serialize(response, ResponseInfo);

    /// <summary>Writes the request's JSON (without a newline) to <paramref name="writer"/>: for clients that reuse their
    /// buffers.</summary>
    public static void Write(Utf8JsonWriter writer, ControlRequest request) =>
        JsonSerializer.Serialize(writer, request, RequestInfo);

    /// <summary>An error answer for any op.</summary>
    public static ControlResponse Failure(string error) => new() { Ok = false, Error = error };

    /// <summary>
    /// Reads one answer line as the answer type of the op that was sent (<see cref="WriteResponse"/> for set, ...;
    /// <see cref="ControlResponse"/> for just ok and error). An error answer reads as any type, with only ok, v and
    /// error set. Throws <see cref="JsonException"/> when the line is not an answer.
    /// </summary>
    public static T ParseResponse<T>(string line)
        where T : ControlResponse
    {
        ArgumentNullException.ThrowIfNull(line);
        return JsonSerializer.Deserialize(line, Info<T>()) ?? throw new JsonException("the answer is null, not a JSON object");
    }

    /// <summary>Reads one answer line of UTF-8; see <see cref="ParseResponse{T}(string)"/>.</summary>
    public static T ParseResponse<T>(ReadOnlySpan<byte> utf8)
        where T : ControlResponse
    {
        return JsonSerializer.Deserialize(utf8, Info<T>()) ?? throw new JsonException("the answer is null, not a JSON object");
    }

    /// <summary>A JSON value as compact JSON text, as the control state stores it.</summary>
    public static string JsonText(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>JSON text (a stored value, or a value to send) as a <see cref="JsonElement"/> that owns its memory.
    /// Throws <see cref="JsonException"/> when it is not one JSON value.</summary>
    public static JsonElement Value(string json) => JsonElement.Parse(json);

    private static JsonTypeInfo<T> Info<T>()
        where T : ControlResponse =>
        Options.TryGetTypeInfo(typeof(T), out var info) ? (JsonTypeInfo<T>)info : throw new NotSupportedException($"{typeof(T).Name} is not a control protocol answer");

    private static string Simplify(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return TypeNameRule().Replace(text, "a value of the right type");
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    [System.Text.RegularExpressions.GeneratedRegex(@"System\.[A-Za-z0-9_.`\[\]]+")]
    private static partial System.Text.RegularExpressions.Regex TypeNameRule();
}
