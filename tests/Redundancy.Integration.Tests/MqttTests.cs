using System.Text.Json;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Status on MQTT through a real mosquitto on a free loopback port, against a real pair.</summary>
[Collection("pair")]
public sealed class MqttTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync", Mqtt = true };

    [Fact]
    public async Task RetainedStatusAndActive_RightAfterStart_AfterASwitchover_AndAfterKill9_TheWillSaysOffline_EventsInOrder()
    {
        using var pair = PairHarness.StartPair(Spec);
        var p = pair.MqttPrefix;
        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, $"{p}/#");

        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => Status(s).GetProperty("role").GetString() == "Active", Wait));
        Assert.NotNull(watcher.WaitFor($"{p}/B/status", s => Status(s).GetProperty("role").GetString() == "Standby", Wait));
        Assert.NotNull(watcher.WaitFor($"{p}/active", s => Json(s).GetProperty("node").GetString() == "A", Wait));
        Assert.NotNull(watcher.WaitFor($"{p}/A/online", s => s == "true", Wait));
        Assert.NotNull(watcher.WaitFor($"{p}/B/online", s => s == "true", Wait));

        // A late subscriber gets the same picture from the retained messages alone.
        await using (var late = await MqttWatcher.StartAsync(pair.Broker!, $"{p}/#"))
        {
            Assert.NotNull(late.WaitFor($"{p}/active", s => Json(s).GetProperty("node").GetString() == "A", Wait));
            Assert.NotNull(late.WaitFor($"{p}/A/status", s => Status(s).GetProperty("role").GetString() == "Active", Wait));
        }

        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", Wait), Dump(pair));
            var switched = a.Send<SwitchoverResponse>(new SwitchoverRequest());
            Assert.True(switched.Ok, switched.Error);
        }

        var afterSwitch = watcher.WaitFor($"{p}/active", s => Json(s).GetProperty("node").GetString() == "B", Wait);
        Assert.NotNull(afterSwitch);
        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => Status(s).GetProperty("role").GetString() == "Standby", Wait));
        var switchEpoch = Json(afterSwitch!.Payload).GetProperty("epoch").GetUInt64();

        var killAt = pair.Cabinet.Mark("kill -9 B");
        pair.B.Signal(Signals.Kill);
        Assert.NotNull(watcher.WaitFor($"{p}/B/online", s => s == "false", Wait)); // the Will
        var afterKill = watcher.WaitFor($"{p}/active", s => Json(s).GetProperty("node").GetString() == "A", Wait);
        Assert.NotNull(afterKill);
        Assert.True(Json(afterKill!.Payload).GetProperty("epoch").GetUInt64() > switchEpoch);
        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => Status(s).GetProperty("role").GetString() == "Active", Wait));

        // A's events arrive in sequence order, the takeover with its measured times.
        var events = watcher.Messages.Where(m => m.Topic == $"{p}/A/events").Select(m => Json(m.Payload).GetProperty("event")).ToArray();
        var sequences = events.Select(e => e.GetProperty("sequence").GetInt64()).ToArray();
        Assert.NotEmpty(sequences); // events are not retained: the watcher sees those after it subscribed, without a gap
        Assert.Equal(Enumerable.Range(0, sequences.Length).Select(i => sequences[0] + i), sequences);
        var takeover = events.Last(e => e.GetProperty("kind").GetString() == nameof(NodeEventKind.RoleChanged) && e.GetProperty("to").GetString() == "Active");
        Assert.True(takeover.GetProperty("detectionMs").GetDouble() > 0);
        Assert.True(takeover.TryGetProperty("takeoverMs", out _));
        Assert.Contains("silent", takeover.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task BrokerKilledFor30s_ThenFrozenFor30s_NoFailover_NoLateHeartbeat_StatusCatchesUp_DropsCounted()
    {
        using var pair = PairHarness.Create(Spec);
        foreach (var node in new[] { "A", "B" })
        {
            pair.EditConfig(node, c => c["mqtt"]!["eventQueue"] = 10);
        }

        pair.StartAgent("A");
        pair.StartAgent("B");
        pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
        var p = pair.MqttPrefix;
        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, $"{p}/#");
        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => Status(s).GetProperty("role").GetString() == "Active", Wait));
        var changes = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;
        var a = pair.Control("A"); // the control socket closes a connection idle for 30 s: opened anew after each outage

        // Maintenance on and off once first: the code of that path is compiled now, not on the engine thread during the
        // outage (the tests run the JIT-only build; an installed agent is ReadyToRun).
        Assert.True(a.Send<CommandResponse>(new MaintenanceRequest(true)).Ok);
        Assert.True(a.Send<CommandResponse>(new MaintenanceRequest(false)).Ok);
        Hold(TimeSpan.FromSeconds(1));
        var killedAt = pair.Cabinet.Mark("broker killed");
        var killedTime = DateTimeOffset.UtcNow;
        pair.Broker!.Kill();
        Assert.True(pair.A.WaitForAlarm("Mqtt", Wait, killedAt) is not null, Dump(pair));
        for (var i = 0; i < 15; i++)
        {
            // 30 events on A while the broker is away: more than the queue bound of 10.
            Assert.True(a.Send<CommandResponse>(new MaintenanceRequest(i % 2 == 0)).Ok);
            Assert.True(a.Send<CommandResponse>(new MaintenanceRequest(i % 2 != 0)).Ok);
        }

        Hold(TimeSpan.FromSeconds(30));
        a.Dispose();
        a = pair.Control("A");
        pair.Broker.Start();
        await watcher.ConnectAsync();
        Assert.NotNull(watcher.WaitFor($"{p}/A/online", s => s == "true", TimeSpan.FromSeconds(20)));
        Assert.NotNull(watcher.WaitFor($"{p}/A/status", s => Status(s).GetProperty("mqtt").GetProperty("droppedEvents").GetInt64() > 0, TimeSpan.FromSeconds(20)));
        Assert.True(Eventually(() => a.Status().Alarms.All(x => x.Kind != "Mqtt"), TimeSpan.FromSeconds(20)), Dump(pair));

        var frozenAt = pair.Cabinet.Mark("broker frozen");
        var frozenTime = DateTimeOffset.UtcNow;
        pair.Broker.Freeze();
        Hold(TimeSpan.FromSeconds(30));
        a.Dispose();
        a = pair.Control("A");
        pair.Broker.Thaw();
        Assert.True(Eventually(() => a.Status().Mqtt is { Connected: true } && a.Status().Alarms.All(x => x.Kind != "Mqtt"), TimeSpan.FromSeconds(30)), Dump(pair));
        var reconnectedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        await watcher.ConnectAsync();
        var thawedTime = DateTimeOffset.UtcNow;
        Assert.True(Poll.Until(() => watcher.Latest($"{p}/A/status") is { } m && m.T > reconnectedAt && Status(m.Payload).GetProperty("role").GetString() == "Active", Wait, everyMs: 5),
            $"(killed {killedTime:HH:mm:ss.fff}, frozen {frozenTime:HH:mm:ss.fff}) role changes: {string.Join("; ", pair.A.EventsSince(killedAt).Concat(pair.B.EventsSince(killedAt)).Where(e => e.Kind is NodeEventKind.RoleChanged).Select(e => $"{e.Node} {e.Time:HH:mm:ss.fff} {e.Reason}"))} no status of A after the freeze: newest {watcher.Latest($"{p}/A/status")?.Payload[..Math.Min(300, watcher.Latest($"{p}/A/status")?.Payload.Length ?? 0)]}" + Dump(pair));

        a.Dispose();
        Assert.True(changes == pair.A.RoleChanges.Count + pair.B.RoleChanges.Count,
            $"killed {killedTime:HH:mm:ss.fff}, frozen {frozenTime:HH:mm:ss.fff}, thawed {thawedTime:HH:mm:ss.fff}; role changes during the broker outages: " + string.Join("; ", pair.A.EventsSince(killedAt).Concat(pair.B.EventsSince(killedAt))
                .Where(e => e.Kind is NodeEventKind.RoleChanged or NodeEventKind.Stall).Select(e => $"{e.Node} {e.Time:HH:mm:ss.fff} {e.Kind} {e.Reason}"))
            + "\nlog: " + string.Join("\n", pair.A.Lines.Where(l => l.Contains("paus", StringComparison.OrdinalIgnoreCase) || l.Contains("stall", StringComparison.OrdinalIgnoreCase) || l.Contains("late", StringComparison.OrdinalIgnoreCase) || l.Contains("mqtt", StringComparison.OrdinalIgnoreCase) || l.Contains("Mqtt", StringComparison.Ordinal)).TakeLast(30)));
        foreach (var node in new[] { "A", "B" })
        {
            using var c = pair.Control(node);
            var late = c.Diagnostics().HeartbeatLateMaxMs;
            output.WriteLine($"node {node}: heartbeat sender woke at most {late:F2} ms late through the broker outages (bound {Spec.PeerTimeoutMs / 2.0} ms); role changes during them: {pair.Agent(node).EventsSince(killedAt).Count(e => e.Kind == NodeEventKind.RoleChanged)}");
            Assert.True(late < Spec.PeerTimeoutMs / 2.0, $"node {node}: a heartbeat sender woke {late:F1} ms late during the broker outages");
            Assert.DoesNotContain(pair.Agent(node).EventsSince(killedAt), e => e.Kind == NodeEventKind.AlarmRaised && e.Alarm is "PeerLost" or "LinkDown");
        }
    }

    [Fact]
    public async Task HomeAssistantDiscovery_NamesTopicsThatArePublished_AndIsSentAgainWhenHomeAssistantComesOnline()
    {
        using var pair = PairHarness.Create(Spec);
        foreach (var node in new[] { "A", "B" })
        {
            pair.EditConfig(node, c => c["mqtt"]!["homeAssistant"] = new System.Text.Json.Nodes.JsonObject { ["enabled"] = true });
        }

        pair.StartAgent("A");
        pair.StartAgent("B");
        pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
        var p = pair.MqttPrefix;
        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, "#");
        var config = watcher.WaitFor("homeassistant/device/redundancy-7-A/config", _ => true, Wait);
        Assert.NotNull(config);
        using var doc = JsonDocument.Parse(config!.Payload);
        var root = doc.RootElement;
        Assert.Equal($"{p}/A/online", root.GetProperty("avty_t").GetString());
        Assert.Equal("redundancy-7-A", root.GetProperty("dev").GetProperty("ids")[0].GetString());
        var components = root.GetProperty("cmps").EnumerateObject().ToDictionary(c => c.Name, c => c.Value);
        Assert.Contains("role", components.Keys);
        Assert.Contains("link_serial", components.Keys);
        Assert.Contains("pair_active", components.Keys);
        foreach (var (name, component) in components)
        {
            // Every state topic it names is one this node (or the active) actually publishes, retained.
            var topic = component.GetProperty("stat_t").GetString()!;
            Assert.True(watcher.WaitFor(topic, _ => true, Wait) is not null, $"{name}: nothing on {topic}");
            Assert.StartsWith("redundancy-7-A-", component.GetProperty("uniq_id").GetString());
        }

        Assert.NotNull(watcher.WaitFor($"{p}/A/online", s => s == root.GetProperty("pl_avail").GetString(), Wait));

        var before = watcher.Messages.Count(m => m.Topic == "homeassistant/device/redundancy-7-A/config");
        await watcher.PublishAsync("homeassistant/status", "online"u8.ToArray());
        Assert.True(Poll.Until(() => watcher.Messages.Count(m => m.Topic == "homeassistant/device/redundancy-7-A/config") > before, Wait, everyMs: 20),
            "discovery was not sent again when Home Assistant came online");
    }

    private static JsonElement Json(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement.Clone();
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        return root;
    }

    private static JsonElement Status(string payload) => Json(payload).GetProperty("status");
}
