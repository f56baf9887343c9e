using System.Text.Json;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// What a node knows of the witness, everywhere its status goes: the control socket's <c>status</c>, <c>redundancyctl
/// status</c> (text, <c>--json</c> and its exit code) and the MQTT status topic. A pair on loopback with a real
/// <c>redundancy-witness</c> and a mosquitto.
/// </summary>
[Collection("pair")]
public sealed class WitnessStatusTests
{
    private static readonly PairSpec Spec = new()
    {
        IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Witness = true, WitnessLeaseMs = 100, Mqtt = true,
        ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
    };

    [Fact]
    public async Task Status_SaysReachableHolderAndLease_WitnessKilled_Unreachable_Degraded_ThenBack()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        using var a = pair.Control("A");
        using var b = pair.Control("B");
        var p = pair.MqttPrefix;
        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, $"{p}/#");

        // The active asks and holds the lease; the standby, hearing its peer, does not ask and so cannot know.
        Assert.True(Eventually(() => a.Status().Witness is { Reachable: true, Holder: 1, LeaseRemainingMs: > 0 }, Wait), Describe(a) + Dump(pair));
        var w = a.Status().Witness!;
        Assert.Equal("lease", w.Mode);
        Assert.Equal(pair.WitnessAddress, w.Address);
        Assert.True(w.Asking);
        Assert.InRange(w.LeaseRemainingMs!.Value, 0.1, Spec.WitnessLeaseMs);
        Assert.InRange(w.LastAnswerAgeMs!.Value, 0, 2 * Spec.WitnessLeaseMs);
        var standby = b.Status().Witness!;
        Assert.False(standby.Asking);
        Assert.Null(standby.Reachable);
        Assert.Equal(0, standby.LeaseRemainingMs);

        Assert.True(Eventually(() => Ctl(pair, "A", "--json").Code == 0, Wait), Ctl(pair, "A", "--json").Out + Dump(pair));
        var (code, json, _) = Ctl(pair, "A", "--json");
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("schema").GetInt32());
            var cw = doc.RootElement.GetProperty("status").GetProperty("witness");
            Assert.Equal(pair.WitnessAddress, cw.GetProperty("address").GetString());
            Assert.True(cw.GetProperty("reachable").GetBoolean());
            Assert.Equal(1, cw.GetProperty("holder").GetInt32());
        }

        Assert.Contains($"Witness: lease at {pair.WitnessAddress}, reachable, holder node 1", Ctl(pair, "A").Out);
        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => MqttWitness(s) is { } mw && mw.GetProperty("reachable").GetBoolean()
            && mw.GetProperty("holder").GetInt32() == 1 && mw.GetProperty("address").GetString() == pair.WitnessAddress, Wait));
        Assert.NotNull(watcher.WaitFor($"{p}/B/status", s => MqttWitness(s) is { } mw && !mw.GetProperty("asking").GetBoolean()
            && !mw.TryGetProperty("reachable", out _), Wait));

        // The witness gone: unreachable on the active, everywhere, and status exits 1 (degraded) saying so.
        pair.Witness!.Kill();
        Assert.True(Eventually(() => a.Status().Witness is { Reachable: false }, Wait), Describe(a));
        var down = Ctl(pair, "A");
        Assert.Equal(1, down.Code);
        Assert.Contains("degraded", down.Out);
        Assert.Contains("NOT ANSWERING", down.Out);
        Assert.True(Eventually(() => a.Status().Alarms.Any(x => x.Kind == "WitnessUnreachable"), Wait), "the active should raise WitnessUnreachable" + Dump(pair));
        Assert.Contains("WitnessUnreachable", Ctl(pair, "A").Out);
        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => MqttWitness(s) is { } mw && !mw.GetProperty("reachable").GetBoolean(), Wait));

        pair.Witness.Start();
        Assert.True(Eventually(() => a.Status().Witness is { Reachable: true, Holder: 1 }, Wait), Describe(a));
        Assert.True(Eventually(() => Ctl(pair, "A").Code == 0, Wait), Ctl(pair, "A").Out);
    }

    private static (int Code, string Out, string Error) Ctl(PairHarness pair, string node, params string[] more) =>
        Redundancyctl.Run(["status", "--socket", pair.ControlSocket(node), "--color", "never", .. more]);

    private static JsonElement? MqttWitness(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        return doc.RootElement.GetProperty("status").TryGetProperty("witness", out var w) ? w.Clone() : null;
    }

    private static string Describe(ControlClient c) => $"witness status: {c.Status().Witness}";
}
