using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Redundancy.Core.Commands;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Remote commands over MQTT through a real mosquitto, against a real pair: signed with the pair key, fresh,
/// never replayed, under the CLI's rules; anything else refused and counted.</summary>
[Collection("pair")]
public sealed class MqttCommandTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync", Mqtt = true };
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task SignedSwitchover_SwitchesThePair_AnsweredSigned_UnderTheCliRules()
    {
        using var pair = PairHarness.Create(Spec);
        EnableCommands(pair, "A", "B");
        pair.StartAgent("A");
        pair.StartAgent("B");
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        var p = pair.MqttPrefix;
        var key = Key(pair);
        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, $"{p}/+/reply");
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot" && a.Status().Mqtt?.Connected == true, Wait), Dump(pair));
        }

        var (switchover, nonce) = Command(key, $"{p}/A/command", "\"op\":\"switchover\"", "job-1");
        await watcher.PublishAsync($"{p}/A/command", switchover);

        var reply = Reply(watcher, key, $"{p}/A/reply", nonce);
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.Equal("job-1", reply.GetProperty("id").GetString());
        Assert.Equal("A", reply.GetProperty("node").GetString());
        Assert.Equal(2, reply.GetProperty("response").GetProperty("leg").GetProperty("to").GetInt32());
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        var asked = pair.A.WaitForEvent(e => e.Kind == Protocol.Events.NodeEventKind.Command && e.Reason.Contains("requester 'scada-test'", StringComparison.Ordinal), Wait);
        Assert.True(asked is not null, Dump(pair));
        Assert.Equal(Callers.RemoteMqtt, asked.Uid);
        var took = pair.B.WaitForEvent(e => e.Kind == Protocol.Events.NodeEventKind.RoleChanged && e.To == "Active", Wait);
        Assert.True(took is not null && took.Reason.Contains("asked by a remote command over MQTT", StringComparison.Ordinal), took?.Reason + Dump(pair));

        // The CLI's rules: in maintenance a switchover is refused, remotely as at the cabinet.
        var (maintenance, mNonce) = Command(key, $"{p}/B/command", "\"op\":\"maintenance\",\"on\":true", "job-2");
        await watcher.PublishAsync($"{p}/B/command", maintenance);
        Assert.True(Reply(watcher, key, $"{p}/B/reply", mNonce).GetProperty("ok").GetBoolean());
        var (refused, rNonce) = Command(key, $"{p}/B/command", "\"op\":\"switchover\",\"force\":true", "job-3");
        await watcher.PublishAsync($"{p}/B/command", refused);
        var no = Reply(watcher, key, $"{p}/B/reply", rNonce);
        Assert.False(no.GetProperty("ok").GetBoolean());
        Assert.Contains("maintenance", no.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(no.TryGetProperty("refusal", out _)); // it ran, and the pair's rules refused it
        Assert.True(pair.DrivesAll("B"), Dump(pair));
        using var b = pair.Control("B");
        Assert.Equal(2, b.Status().Mqtt!.Commands!.Accepted); // maintenance, and the switchover it refused
        using var a2 = pair.Control("A");
        Assert.Equal(1, a2.Status().Mqtt!.Commands!.Accepted);
    }

    [Fact]
    public async Task BadMac_Replay_Stale_AndOtherNodesTopic_AreRefusedAndCounted_NothingRuns_AndOffByDefault()
    {
        using var pair = PairHarness.Create(Spec);
        EnableCommands(pair, "A"); // B keeps the default: no remote commands
        pair.StartAgent("A");
        pair.StartAgent("B");
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        var p = pair.MqttPrefix;
        var key = Key(pair);
        await using var watcher = await MqttWatcher.StartAsync(pair.Broker!, $"{p}/+/+"); // replies, and the commands as the broker carries them
        using var a = pair.Control("A");
        Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot" && a.Status().Mqtt?.Connected == true, Wait), Dump(pair));

        // Signed with another key: not answered, counted.
        var wrong = key.ToArray();
        wrong[0] ^= 0x5a;
        var (forged, forgedNonce) = Command(wrong, $"{p}/A/command", "\"op\":\"maintenance\",\"on\":true");
        await watcher.PublishAsync($"{p}/A/command", forged);
        // Signed for B's topic, sent to A's: the topic is in the MAC.
        var (forB, _) = Command(key, $"{p}/B/command", "\"op\":\"maintenance\",\"on\":true");
        await watcher.PublishAsync($"{p}/A/command", forB);
        // Not JSON at all.
        await watcher.PublishAsync($"{p}/A/command", "pump1=on"u8.ToArray());
        Assert.True(Eventually(() => a.Status().Mqtt!.Commands!.RefusedBy.GetValueOrDefault("BadMac") == 2 && a.Status().Mqtt!.Commands!.RefusedBy.GetValueOrDefault("Malformed") == 1, Wait),
            JsonSerializer.Serialize(a.Status().Mqtt) + Dump(pair));
        Assert.Null(watcher.WaitForAny($"{p}/A/reply", r => r.Contains(forgedNonce, StringComparison.Ordinal), Quiet));

        // A command sent as docs/mqtt.md shows (openssl, sed, mosquitto_pub) runs once; the same message again is refused.
        var nonce = SendAsTheDocsShow(pair, $"{p}/A/command");
        Assert.True(Reply(watcher, key, $"{p}/A/reply", nonce).GetProperty("ok").GetBoolean(), Dump(pair));
        var sent = watcher.WaitForAny($"{p}/A/command", m => m.Contains(nonce, StringComparison.Ordinal), Wait); // the very message the script sent
        Assert.NotNull(sent);
        var genuine = sent!.Bytes;
        Assert.True(Eventually(() => a.Status().Maintenance, Wait), Dump(pair));
        using (var c = pair.Control("A"))
        {
            Assert.True(c.Send<Protocol.Control.CommandResponse>(new Protocol.Control.MaintenanceRequest(false)).Ok);
        }

        await watcher.PublishAsync($"{p}/A/command", genuine); // the same message again
        var replayed = Reply(watcher, key, $"{p}/A/reply", nonce, r => r.GetProperty("ok").GetBoolean() == false);
        Assert.Equal("Replayed", replayed.GetProperty("refusal").GetString());
        Hold(Quiet);
        Assert.False(a.Status().Maintenance, "the replay turned maintenance on again" + Dump(pair));

        // Timestamped a minute ago: stale.
        var (stale, staleNonce) = Command(key, $"{p}/A/command", "\"op\":\"switchover\"", ts: DateTimeOffset.UtcNow.AddMinutes(-1));
        await watcher.PublishAsync($"{p}/A/command", stale);
        Assert.Equal("Stale", Reply(watcher, key, $"{p}/A/reply", staleNonce).GetProperty("refusal").GetString());

        // B has remote commands off: a genuine command for it is not even read.
        var (toB, toBNonce) = Command(key, $"{p}/B/command", "\"op\":\"switchover\"");
        await watcher.PublishAsync($"{p}/B/command", toB);
        Assert.Null(watcher.WaitForAny($"{p}/B/reply", r => r.Contains(toBNonce, StringComparison.Ordinal), Quiet));
        using var b = pair.Control("B");
        Assert.Null(b.Status().Mqtt!.Commands);

        var counted = a.Status().Mqtt!.Commands!;
        Assert.Equal(1, counted.Accepted);
        Assert.Equal(1, counted.RefusedBy["Replayed"]);
        Assert.Equal(1, counted.RefusedBy["Stale"]);
        Assert.Equal(5, counted.Refused);
        Assert.Equal("Active", pair.A.Role);
        Assert.True(pair.DrivesAll("A"), Dump(pair));
    }

    private static void EnableCommands(PairHarness pair, params string[] nodes)
    {
        foreach (var node in nodes)
        {
            pair.EditConfig(node, c => c["mqtt"]!["commands"] = new JsonObject { ["enabled"] = true });
        }
    }

    private static byte[] Key(PairHarness pair) => Convert.FromHexString(File.ReadAllText(pair.KeyFile).Trim());

    private static (byte[] Payload, string Nonce) Command(byte[] key, string topic, string fields, string? id = null, DateTimeOffset? ts = null)
    {
        var nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var body = Body(fields, nonce, id, ts);
        return (RemoteCommandCodec.Seal(key, RemoteCommandCodec.CommandDomain, topic, body), nonce);
    }

    private static string Body(string fields, string nonce, string? id = null, DateTimeOffset? ts = null) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{\"v\":1,{fields},\"ts\":{(ts ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds()},\"nonce\":\"{nonce}\",\"requester\":\"scada-test\"{(id is null ? string.Empty : $",\"id\":\"{id}\"")}}}");

    /// <summary>
    /// The shell recipe of docs/mqtt.md, "Remote commands", run as written there (date, openssl, sed, mosquitto_pub:
    /// an implementation independent of ours), with the broker's address and a maintenance-on body; returns the nonce.
    /// </summary>
    private static string SendAsTheDocsShow(PairHarness pair, string topic)
    {
        var script = Path.Combine(pair.Directory, "send-command.sh");
        File.WriteAllText(script, """
            set -eu
            TOPIC=$1 KEY=$2 HOST=$3 PORT=$4
            BODY=$(printf '{"v":1,"op":"maintenance","on":true,"ts":%s,"nonce":"%s","requester":"%s"}' "$(date +%s%3N)" "$(openssl rand -hex 16)" "$(hostname)")
            MAC=$(printf 'redundancy-command-v1\n%s\n%s' "$TOPIC" "$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY | sed 's/.*= //')
            mosquitto_pub -h "$HOST" -p "$PORT" -q 1 -t "$TOPIC" -m "$(printf '{"body":"%s","mac":"%s"}' "$(printf %s "$BODY" | sed 's/"/\\"/g')" "$MAC")"
            printf '%s\n' "$BODY"
            """);
        var (code, output) = ExternalProcess.Run("bash", script, topic, File.ReadAllText(pair.KeyFile).Trim(), "127.0.0.1", pair.Broker!.Port.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("nonce").GetString()!;
    }

    /// <summary>The reply to the command with <paramref name="nonce"/>, its MAC checked with the pair key.</summary>
    private static JsonElement Reply(MqttWatcher watcher, byte[] key, string topic, string nonce, Func<JsonElement, bool>? match = null)
    {
        JsonElement found = default;
        var message = watcher.WaitForAny(topic, payload =>
        {
            var opened = RemoteCommandCodec.Open(key, RemoteCommandCodec.ReplyDomain, topic, Encoding.UTF8.GetBytes(payload), out var body, out _);
            if (opened != RemoteRefusal.None)
            {
                return false;
            }

            var reply = JsonDocument.Parse(body).RootElement.Clone();
            if (reply.GetProperty("nonce").GetString() != nonce || (match is not null && !match(reply)))
            {
                return false;
            }

            found = reply;
            return true;
        }, Wait);
        Assert.True(message is not null, $"no signed reply on {topic} to nonce {nonce}; seen: {string.Join(" | ", watcher.Messages.Where(m => m.Topic == topic).Select(m => m.Payload))}");
        return found;
    }
}
