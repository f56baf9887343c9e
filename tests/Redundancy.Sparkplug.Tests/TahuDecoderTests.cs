using System.Text.Json.Nodes;
using Redundancy.Protocol.Status;
using static Redundancy.Sparkplug.Tests.Samples;

namespace Redundancy.Sparkplug.Tests;

/// <summary>
/// Our bytes read by someone else's decoder: Eclipse Tahu's sparkplug-payload under node (see <see cref="TahuDecoder"/>),
/// and a rebirth request made by Tahu's encoder read by us. Skipped only where node and npm cannot be had.
/// </summary>
public sealed class TahuDecoderTests
{
    [SkippableFact]
    public void NBirth_DecodedByTahu_HasEveryMetricWithNameAliasTypeAndValue_BdSeqRebirthAndSeq0()
    {
        var tahu = Tahu();
        var status = Status(replication: new ReplicationStatus("semi-sync", true, 12, 3.5, false, 0));
        var metrics = RedundancyMetrics.From(status);
        var session = Session(Clock(), bdSeq: 7);

        var decoded = tahu.Decode(session.Birth(metrics).Payload)[0]!["decoded"]!;

        Assert.Equal("0", decoded["seq"]!.GetValue<string>());
        Assert.Equal(StartMs.ToString(System.Globalization.CultureInfo.InvariantCulture), decoded["timestamp"]!.GetValue<string>());
        var byName = decoded["metrics"]!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!);
        Assert.Equal(metrics.Count + 2, byName.Count);

        Assert.Equal("Int64", byName["bdSeq"]["type"]!.GetValue<string>());
        Assert.Equal("7", byName["bdSeq"]["value"]!.GetValue<string>());
        Assert.Null(byName["bdSeq"]["alias"]);
        Assert.Equal("Boolean", byName["Node Control/Rebirth"]["type"]!.GetValue<string>());
        Assert.False(byName["Node Control/Rebirth"]["value"]!.GetValue<bool>());
        Assert.Null(byName["Node Control/Rebirth"]["alias"]);

        foreach (var metric in metrics)
        {
            var tahuMetric = byName[metric.Name];
            Assert.Equal(metric.Value.Type.ToString(), tahuMetric["type"]!.GetValue<string>());
            Assert.Equal(session.AliasOf(metric.Name)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), tahuMetric["alias"]!.GetValue<string>());
            Assert.Equal(StartMs.ToString(System.Globalization.CultureInfo.InvariantCulture), tahuMetric["timestamp"]!.GetValue<string>());
            AssertValue(metric.Value, tahuMetric["value"]);
        }
    }

    [SkippableFact]
    public void NData_DecodedByTahu_CarriesTheChangesByAliasOnly_WithTheNextSeq()
    {
        var tahu = Tahu();
        var time = Clock();
        var session = Session(time);
        var birth = session.Birth(RedundancyMetrics.From(Status(role: "Standby", serialFps: 50)));
        time.Advance(TimeSpan.FromSeconds(1));
        var first = session.Data(RedundancyMetrics.From(Status(role: "Standby", serialFps: 48.5)))!;
        var second = session.Data(RedundancyMetrics.From(Status(role: "Active", serialFps: 48.5)))!;

        var decoded = tahu.Decode(birth.Payload, first.Payload, second.Payload);

        var aliasToName = decoded[0]!["decoded"]!["metrics"]!.AsArray()
            .Where(m => m!["alias"] is not null)
            .ToDictionary(m => m!["alias"]!.GetValue<string>(), m => m!["name"]!.GetValue<string>());
        var one = decoded[1]!;
        Assert.Equal("1", one["decoded"]!["seq"]!.GetValue<string>());
        Assert.Equal((StartMs + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), one["decoded"]!["timestamp"]!.GetValue<string>());
        var fps = Assert.Single(one["decoded"]!["metrics"]!.AsArray())!;
        Assert.Null(fps["name"]);
        Assert.Equal("Links/serial/FramesPerSecond", aliasToName[fps["alias"]!.GetValue<string>()]);
        Assert.Equal(48.5, Assert.Single(one["raw"]!["metrics"]!.AsArray())!["doubleValue"]!.GetValue<double>());

        var two = decoded[2]!;
        Assert.Equal("2", two["decoded"]!["seq"]!.GetValue<string>());
        Assert.Equal(
            ["Redundancy/Role", "Outputs/pump/Driven", "Outputs/valve/Driven"],
            two["decoded"]!["metrics"]!.AsArray().Select(m => aliasToName[m!["alias"]!.GetValue<string>()]));
        var raw = two["raw"]!["metrics"]!.AsArray();
        Assert.Equal("Active", raw[0]!["stringValue"]!.GetValue<string>());
        Assert.True(raw[1]!["booleanValue"]!.GetValue<bool>());
    }

    [SkippableFact]
    public void NDeath_DecodedByTahu_IsBdSeqAloneWithoutSeq()
    {
        var tahu = Tahu();

        var decoded = tahu.Decode(Session(Clock(), bdSeq: 255).Death().Payload)[0]!["decoded"]!.AsObject();

        Assert.False(decoded.ContainsKey("seq"));
        var bdSeq = Assert.Single(decoded["metrics"]!.AsArray())!;
        Assert.Equal("bdSeq", bdSeq["name"]!.GetValue<string>());
        Assert.Equal("Int64", bdSeq["type"]!.GetValue<string>());
        Assert.Equal("255", bdSeq["value"]!.GetValue<string>());
    }

    [SkippableFact]
    public void RebirthRequest_EncodedByTahu_IsReadAsARebirth()
    {
        var tahu = Tahu();

        var bytes = tahu.EncodeRebirthRequest(StartMs);

        Assert.True(SparkplugNodeCommand.TryParse(bytes, out var command, out var error), error);
        Assert.True(command.Rebirth);
    }

    private static TahuDecoder Tahu()
    {
        var tahu = TahuDecoder.TryGet(out var whyNot);
        Skip.If(tahu is null, whyNot);
        return tahu!;
    }

    // Tahu gives 64-bit integers as Long (printed as text by tahu.js), 32-bit ones and doubles as numbers.
    private static void AssertValue(MetricValue expected, JsonNode? actual)
    {
        if (expected.IsNull)
        {
            Assert.Null(actual);
            return;
        }

        switch (expected.Value)
        {
            case bool b:
                Assert.Equal(b, actual!.GetValue<bool>());
                break;
            case int i:
                Assert.Equal(i, actual!.GetValue<int>());
                break;
            case long or ulong:
                Assert.Equal(Convert.ToString(expected.Value, System.Globalization.CultureInfo.InvariantCulture), actual!.GetValue<string>());
                break;
            case double d:
                Assert.Equal(d, actual!.GetValue<double>());
                break;
            case string s:
                Assert.Equal(s, actual!.GetValue<string>());
                break;
            default:
                Assert.Fail($"unexpected {expected}");
                break;
        }
    }
}
