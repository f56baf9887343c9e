using System.Text.Json.Nodes;
using Redundancy.Simulation.Harness;
using Redundancy.Sparkplug.Tests;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Sparkplug B from real agents through a real mosquitto, the bytes decoded by Eclipse Tahu's decoder.</summary>
[Collection("pair")]
public sealed class SparkplugTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Group = "spBv1.0/Redundancy";

    [SkippableFact]
    public async Task NBirthWithTheStatus_NDataSeqRises_RebirthOnNcmd_NDeathAfterKill9NamesTheBirthsBdSeq_BdSeqKeptAcrossRestart()
    {
        var tahu = TahuDecoder.TryGet(out var whyNot);
        Skip.If(tahu is null, whyNot);
        using var pair = PairHarness.Create(new PairSpec { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync", Mqtt = true });
        foreach (var node in new[] { "A", "B" })
        {
            pair.EditConfig(node, c => c["mqtt"]!["sparkplug"] = new JsonObject { ["enabled"] = true });
        }

        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, "spBv1.0/#");
        pair.StartAgent("A");
        pair.StartAgent("B");
        pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));

        // NBIRTH: every metric of the status, seq 0, and the bdSeq of this connection. (The first may come while A is
        // still starting: its role then changes by NDATA. A host's rebirth request gets one with the role as it is.)
        var birth = WaitDecoded(watcher, tahu!, $"{Group}/NBIRTH/pair7-A", _ => true);
        output.WriteLine($"NBIRTH of A as Tahu's sparkplug-payload decodes it: {birth.ToJsonString()}");
        Assert.Equal("0", birth["seq"]!.ToString());
        var bdSeq = Metric(birth, "bdSeq");
        Assert.NotNull(bdSeq);
        Assert.NotNull(Metric(birth, "Links/serial/Up"));
        Assert.NotNull(Metric(birth, "Outputs/pump1/Value"));

        // NDATA: seq rises by one per message (a change: the standby's readiness, links, lag).
        Assert.True(Poll.Until(() => watcher.Messages.Count(m => m.Topic == $"{Group}/NDATA/pair7-A") >= 2, Wait, everyMs: 20), "no NDATA from A");
        var data = watcher.Messages.Where(m => m.Topic == $"{Group}/NDATA/pair7-A").Take(2).Select(m => tahu!.Decode(m.Bytes)[0]!["raw"]!).ToArray();
        Assert.Equal(long.Parse(data[0]["seq"]!.ToString()) + 1, long.Parse(data[1]["seq"]!.ToString()));

        // A host asks for a rebirth: a new NBIRTH, seq 0 again, the same bdSeq, the role as it is now.
        var before = watcher.Messages.Count(m => m.Topic == $"{Group}/NBIRTH/pair7-A");
        await watcher.PublishAsync($"{Group}/NCMD/pair7-A", tahu!.EncodeRebirthRequest(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.True(Poll.Until(() => watcher.Messages.Count(m => m.Topic == $"{Group}/NBIRTH/pair7-A") > before, Wait, everyMs: 20), "no rebirth");
        var reborn = tahu.Decode(watcher.Messages.Last(m => m.Topic == $"{Group}/NBIRTH/pair7-A").Bytes)[0]!["decoded"]!;
        Assert.Equal("0", reborn["seq"]!.ToString());
        Assert.Equal(bdSeq, Metric(reborn, "bdSeq"));
        Assert.Equal("Active", Metric(reborn, "Redundancy/Role"));

        // kill -9: the broker publishes the Will, NDEATH, naming the bdSeq of the birth it ends.
        var killedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        pair.A.Signal(Signals.Kill);
        var death = WaitDecoded(watcher, tahu, $"{Group}/NDEATH/pair7-A", _ => true);
        Assert.Equal(bdSeq, Metric(death, "bdSeq"));
        // B's takeover reaches a host as NDATA: its role metric, by the alias its NBIRTH gave it.
        var roleAlias = tahu.Decode(watcher.Latest($"{Group}/NBIRTH/pair7-B")!.Bytes)[0]!["raw"]!["metrics"]!.AsArray()
            .First(m => m!["name"]?.ToString() == "Redundancy/Role")!["alias"]!.ToString();
        Assert.True(Poll.Until(() => watcher.Messages.Where(m => m.Topic == $"{Group}/NDATA/pair7-B" && m.T > killedAt)
            .Any(m => tahu.Decode(m.Bytes)[0]!["raw"]!["metrics"]!.AsArray().Any(x => x!["alias"]?.ToString() == roleAlias && x["stringValue"]?.ToString() == "Active")), Wait, everyMs: 100),
            "no NDATA of B saying it is Active");

        // Restarted, A is born with the next bdSeq (kept in its data directory).
        var births = watcher.Messages.Count(m => m.Topic == $"{Group}/NBIRTH/pair7-A");
        pair.StartAgent("A");
        Assert.True(Poll.Until(() => watcher.Messages.Count(m => m.Topic == $"{Group}/NBIRTH/pair7-A") > births, TimeSpan.FromSeconds(20), everyMs: 20), "A was not born again");
        var again = tahu.Decode(watcher.Messages.Last(m => m.Topic == $"{Group}/NBIRTH/pair7-A").Bytes)[0]!["decoded"]!;
        Assert.Equal((long.Parse(bdSeq!) + 1) % 256, long.Parse(Metric(again, "bdSeq")!));
    }

    private static JsonNode WaitDecoded(MqttWatcher watcher, TahuDecoder tahu, string topic, Func<JsonNode, bool> match)
    {
        JsonNode? found = null;
        Assert.True(Poll.Until(() => watcher.Latest(topic) is { } m && match(found = tahu.Decode(m.Bytes)[0]!["decoded"]!), Wait, everyMs: 50), $"nothing matching on {topic}");
        return found!;
    }

    private static string? Metric(JsonNode decoded, string name) =>
        decoded["metrics"]!.AsArray().FirstOrDefault(m => m!["name"]?.ToString() == name)?["value"]?.ToString();
}
