using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Redundancy.Witness;

/// <summary>One pair the witness serves.</summary>
/// <param name="PairId">The pair's <c>pairId</c>.</param>
/// <param name="KeyFile">Its pair key file (the same as on its two nodes).</param>
/// <param name="Lease">How long a grant runs (the nodes' <c>witness.leaseMs</c> must be the same).</param>
internal sealed record WitnessPair(uint PairId, string KeyFile, TimeSpan Lease);

/// <summary>The witness's configuration: where it listens and the pairs it serves. Every mistake is named by its field.</summary>
internal sealed record WitnessConfig(IPEndPoint Bind, IReadOnlyList<WitnessPair> Pairs)
{
    public static WitnessConfig? Parse(string json, out List<string> errors)
    {
        errors = [];
        File? file;
        try
        {
            file = JsonSerializer.Deserialize(json, WitnessJsonContext.Default.File);
        }
        catch (JsonException ex)
        {
            errors.Add($"not valid JSON: {ex.Message}");
            return null;
        }

        if (file is null)
        {
            errors.Add("the file is empty or null");
            return null;
        }

        IPEndPoint? bind = null;
        if (file.Bind is not { Length: > 0 } b || !IPEndPoint.TryParse(b, out bind) || bind.Port == 0)
        {
            errors.Add($"bind: must be \"address:port\" (for example \"0.0.0.0:5407\"), not {Shown(file.Bind)}");
        }

        var pairs = new List<WitnessPair>();
        if (file.Pairs is not { Length: > 0 })
        {
            errors.Add("pairs: at least one pair is needed: [{\"pairId\": 7, \"pairKeyFile\": \"...\", \"leaseMs\": 100}]");
        }

        for (var i = 0; i < (file.Pairs?.Length ?? 0); i++)
        {
            var p = file.Pairs![i];
            var at = $"pairs[{i}]";
            if (p.PairId is not (>= 1 and <= uint.MaxValue))
            {
                errors.Add($"{at}.pairId: must be 1-{uint.MaxValue}, not {Shown(p.PairId?.ToString(CultureInfo.InvariantCulture))}");
            }

            if (p.PairKeyFile is not { Length: > 0 })
            {
                errors.Add($"{at}.pairKeyFile: is required");
            }

            var lease = p.LeaseMs ?? 100;
            if (lease is < 10 or > 60_000)
            {
                errors.Add($"{at}.leaseMs: must be 10-60000 ms, not {lease}");
            }

            if (p.PairId is { } id && pairs.Any(x => x.PairId == id))
            {
                errors.Add($"{at}.pairId: pair {id} is listed twice");
            }

            if (p.PairId is >= 1 and <= uint.MaxValue && p.PairKeyFile is { Length: > 0 } key)
            {
                pairs.Add(new WitnessPair((uint)p.PairId.Value, key, TimeSpan.FromMilliseconds(lease)));
            }
        }

        return errors.Count == 0 ? new WitnessConfig(bind!, pairs) : null;
    }

    private static string Shown(string? text) => text is null ? "missing" : $"\"{text}\"";

    internal sealed class File
    {
        public string? Bind { get; set; }
        public PairSection[]? Pairs { get; set; }
    }

    internal sealed class PairSection
    {
        public long? PairId { get; set; }
        public string? PairKeyFile { get; set; }
        public long? LeaseMs { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(WitnessConfig.File))]
internal sealed partial class WitnessJsonContext : JsonSerializerContext;
