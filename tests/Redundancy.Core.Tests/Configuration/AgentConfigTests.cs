using System.Net;
using System.Text.Json.Nodes;
using Redundancy.Core.Configuration;
using Redundancy.Core.Outputs;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>Configuration parsing: a valid file maps every field; every invalid value is named by its path.</summary>
public sealed class AgentConfigTests
{
    private const string Minimal = """
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","gpio":{"driver":"simulated","simulatorSocket":"/s"},"udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"}}
        """;

    private const string Full = """
        {
          // comments and trailing commas are allowed
          "pairId": 4242,
          "nodeId": 2,
          "nodeName": "B",
          "priority": 150,
          "pairKeyFile": "/etc/redundancy/pair.key",
          "dataDirectory": "/srv/redundancy",
          "heartbeat": { "intervalMs": 25, "peerTimeoutMs": 150, "startupWindowMs": 4000, "soloStart": true },
          "serial": { "device": "/dev/ttyAMA0", "baud": 230400 },
          "udp": { "bind": "192.168.10.2:5405", "peer": "192.168.10.1:5406" },
          "gpio": { "driver": "libgpiod", "chip": 4 },
          "outputs": [
            { "name": "pump1", "pin": 17, "activeLow": true, "safeValue": true, "takeover": "safe" },
            { "name": "valve-2", "pin": 27 },
          ],
          "interlock": { "iAmActivePin": 5, "peerActivePin": 6, "peerActiveThroughRelay": true },
          "watchdog": { "lifePin": 13, "holdTimeMs": 400 }
        }
        """;

    [Fact]
    public void FullConfig_ParsesWithEveryFieldMapped()
    {
        var options = AgentConfig.Parse(Full, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Equal(4242u, options.PairId);
        Assert.Equal(2, options.NodeId);
        Assert.Equal("B", options.NodeName);
        Assert.Equal(150, options.Priority);
        Assert.Equal("/etc/redundancy/pair.key", options.PairKeyFile);
        Assert.Equal("/srv/redundancy", options.DataDirectory);
        Assert.Equal(TimeSpan.FromMilliseconds(25), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(150), options.PeerTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(4000), options.StartupWindow);
        Assert.True(options.SoloStart);
        Assert.Equal(new SerialLinkOptions("/dev/ttyAMA0", 230400), options.Serial);
        Assert.Equal(IPEndPoint.Parse("192.168.10.2:5405"), options.Udp!.Bind);
        Assert.Equal(IPEndPoint.Parse("192.168.10.1:5406"), options.Udp.Peer);
        Assert.Equal(new GpioOptions(GpioDrivers.LibgpiodV1, new GpioChipSelector(4, null), null), options.Gpio);
        Assert.Equal(
            [new OutputChannel("pump1", 17, true, true, TakeoverPolicy.Safe), new OutputChannel("valve-2", 27, false, false, TakeoverPolicy.Resume)],
            options.Outputs);
        Assert.Equal(new InterlockOptions(5, 6, true), options.Interlock);
        Assert.True(options.InterlockInputWired);
        Assert.Equal(new WatchdogOptions(13, TimeSpan.FromMilliseconds(400)), options.Watchdog);
    }

    [Fact]
    public void MinimalConfig_ParsesWithDefaults()
    {
        var options = AgentConfig.Parse(Minimal, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Equal(7u, options.PairId);
        Assert.Equal(1, options.NodeId);
        Assert.Equal("node-1", options.NodeName);
        Assert.Equal(100, options.Priority);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.PeerTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(3000), options.StartupWindow);
        Assert.False(options.SoloStart);
        Assert.Null(options.Serial);
        Assert.Equal(new GpioOptions(GpioDrivers.Simulated, GpioChipSelector.Auto, "/s"), options.Gpio);
        Assert.Empty(options.Outputs);
        Assert.Null(options.Interlock);
        Assert.False(options.InterlockInputWired);
        Assert.Null(options.Watchdog);
    }

    [Theory]
    [InlineData("pairId", null, "pairId")]
    [InlineData("pairId", "0", "pairId")]
    [InlineData("nodeId", null, "nodeId")]
    [InlineData("nodeId", "0", "nodeId")]
    [InlineData("nodeId", "256", "nodeId")]
    [InlineData("nodeName", "\"has space\"", "nodeName")]
    [InlineData("priority", "0", "priority")]
    [InlineData("pairKeyFile", null, "pairKeyFile")]
    [InlineData("pairKeyFile", "\"  \"", "pairKeyFile")]
    [InlineData("heartbeat", """{"intervalMs":50,"peerTimeoutMs":149}""", "heartbeat.peerTimeoutMs")]
    [InlineData("heartbeat", """{"intervalMs":0}""", "heartbeat.intervalMs")]
    [InlineData("heartbeat", """{"peerTimeoutMs":500,"startupWindowMs":499}""", "heartbeat.startupWindowMs")]
    [InlineData("heartbeat", """{"takeoverHoldMs":51}""", "heartbeat.takeoverHoldMs")]
    [InlineData("witness", """{"address":"nowhere","leaseMs":100}""", "witness.address")]
    [InlineData("witness", """{"address":"10.0.0.5:5407","leaseMs":5}""", "witness.leaseMs")]
    [InlineData("witness", """{"address":"10.0.0.5:5407","onIsolation":"panic"}""", "witness.onIsolation")]
    [InlineData("witness", """{"leaseMs":100}""", "witness.address")]
    [InlineData("witness", """{"address":"10.0.0.5:5407","tcpTarget":"10.0.0.9:502"}""", "witness.tcpTarget")]
    [InlineData("witness", """{"tcpTarget":"scada:502"}""", "witness.tcpTarget")]
    [InlineData("witness", """{"tcpTarget":"10.0.0.9:502","leaseMs":100}""", "witness.leaseMs")]
    [InlineData("witness", """{"tcpTarget":"10.0.0.9:502","connectTimeoutMs":0}""", "witness.connectTimeoutMs")]
    [InlineData("witness", """{"tcpTarget":"10.0.0.9:502","connectTimeoutMs":38}""", "witness.connectTimeoutMs")]
    [InlineData("witness", """{"address":"10.0.0.5:5407","connectTimeoutMs":20}""", "witness.connectTimeoutMs")]
    [InlineData("heartbeat", """{"intervalMs":5,"peerTimeoutMs":20,"takeoverHoldMs":20}""", "heartbeat.takeoverHoldMs")]
    [InlineData("serial", """{"device":"/dev/ttyS0","baud":12345}""", "serial.baud")]
    [InlineData("serial", """{"baud":115200}""", "serial.device")]
    [InlineData("udp", null, "serial/udp")]
    [InlineData("udp", """{"bind":"nope","peer":"127.0.0.1:5406"}""", "udp.bind")]
    [InlineData("udp", """{"bind":"127.0.0.1","peer":"127.0.0.1:5406"}""", "udp.bind")]
    [InlineData("udp", """{"bind":"127.0.0.1:0","peer":"127.0.0.1:5406"}""", "udp.bind")]
    [InlineData("udp", """{"bind":"127.0.0.1:5405","peer":"peer.local:5406"}""", "udp.peer")]
    [InlineData("udp", """{"bind":"127.0.0.1:5405","peer":"300.0.0.1:5406"}""", "udp.peer")]
    [InlineData("udp", """{"bind":"127.0.0.1:5405"}""", "udp.peer")]
    [InlineData("gpio", null, "gpio")]
    [InlineData("gpio", """{"driver":"sysfs"}""", "gpio.driver")]
    [InlineData("gpio", """{"driver":"simulated"}""", "gpio.simulatorSocket")]
    [InlineData("gpio", """{"driver":"libgpiod","chip":256}""", "gpio.chip")]
    [InlineData("gpio", """{"driver":"libgpiod-v2","chip":-1}""", "gpio.chip")]
    [InlineData("outputs", """[{"name":"pump1","pin":1},{"name":"pump1","pin":2}]""", "outputs[1].name")]
    [InlineData("outputs", """[{"name":"Pump 1","pin":1}]""", "outputs[0].name")]
    [InlineData("outputs", """[{"pin":1}]""", "outputs[0].name")]
    [InlineData("outputs", """[{"name":"pump1","pin":1},{"name":"pump2","pin":1}]""", "outputs[1].pin")]
    [InlineData("outputs", """[{"name":"pump1","pin":1024}]""", "outputs[0].pin")]
    [InlineData("outputs", """[{"name":"pump1"}]""", "outputs[0].pin")]
    [InlineData("outputs", """[{"name":"pump1","pin":1,"takeover":"bumpless"}]""", "outputs[0].takeover")]
    [InlineData("outputs", """[null]""", "outputs[0]")]
    [InlineData("interlock", """{"peerActivePin":6}""", "interlock.iAmActivePin")]
    [InlineData("interlock", """{"iAmActivePin":5,"peerActivePin":5}""", "interlock.peerActivePin")]
    [InlineData("interlock", """{"iAmActivePin":5,"peerActiveThroughRelay":true}""", "interlock.peerActiveThroughRelay")]
    [InlineData("watchdog", """{"lifePin":13}""", "watchdog.holdTimeMs")]
    [InlineData("watchdog", """{"holdTimeMs":10}""", "watchdog.lifePin")]
    [InlineData("watchdog", """{"lifePin":13,"holdTimeMs":19}""", "watchdog.holdTimeMs")]
    public void InvalidValue_IsRefusedWithTheFieldPath(string property, string? json, string field)
    {
        var text = Edit(root => Set(root, property, json));

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith(field + ": ", StringComparison.Ordinal));
    }

    [Fact]
    public void WitnessTcpTarget_IsAReachabilityCheck_ItsVerdictCountsTwoConnectTimeouts()
    {
        var options = AgentConfig.Parse(Edit(root => Set(root, "witness", """{"tcpTarget":"10.0.0.9:502","connectTimeoutMs":25,"onIsolation":"release"}""")), out var errors);
        var byDefault = AgentConfig.Parse(Edit(root => Set(root, "witness", """{"tcpTarget":"10.0.0.9:502"}""")), out _);

        Assert.Empty(errors);
        var w = options!.Witness!;
        Assert.True(w.TcpTarget);
        Assert.Equal(IPEndPoint.Parse("10.0.0.9:502"), w.Address);
        Assert.Equal(TimeSpan.FromMilliseconds(25), w.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(50), w.Lease);
        Assert.True(w.ReleaseWhenIsolated);
        Assert.Equal(TimeSpan.FromMilliseconds(20), byDefault!.Witness!.ConnectTimeout);
    }

    [Theory]
    [InlineData("""{"intervalMs":50,"peerTimeoutMs":150}""")]
    [InlineData("""{"peerTimeoutMs":500,"startupWindowMs":500}""")]
    [InlineData("""{"intervalMs":1000,"peerTimeoutMs":3000,"startupWindowMs":3000}""")]
    public void HeartbeatTimingsAtTheLimits_AreAccepted(string heartbeat)
    {
        var options = AgentConfig.Parse(Edit(root => Set(root, "heartbeat", heartbeat)), out var errors);

        Assert.Empty(errors);
        Assert.NotNull(options);
    }

    [Theory]
    [InlineData("[::1]:5405")]
    [InlineData("10.0.0.1:65535")]
    public void UdpEndpointForms_AreAccepted(string bind)
    {
        var options = AgentConfig.Parse(Edit(root => root["udp"]!["bind"] = bind), out var errors);

        Assert.Empty(errors);
        Assert.Equal(IPEndPoint.Parse(bind), options!.Udp!.Bind);
    }

    [Theory]
    [InlineData("""[{"name":"pump1","pin":13}]""", """{"lifePin":13,"holdTimeMs":50}""", null, "watchdog.lifePin")]
    [InlineData("""[{"name":"pump1","pin":5}]""", null, """{"iAmActivePin":5}""", "interlock.iAmActivePin")]
    [InlineData(null, """{"lifePin":6,"holdTimeMs":50}""", """{"iAmActivePin":5,"peerActivePin":6}""", "interlock.peerActivePin")]
    [InlineData("""[{"name":"pump1","pin":6}]""", null, """{"iAmActivePin":5,"peerActivePin":6}""", "interlock.peerActivePin")]
    public void PinUsedTwiceAcrossSections_IsRefusedNamingBothFields(string? outputs, string? watchdog, string? interlock, string field)
    {
        var text = Edit(root =>
        {
            Set(root, "outputs", outputs);
            Set(root, "watchdog", watchdog);
            Set(root, "interlock", interlock);
        });

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.StartsWith(field + ": ", error, StringComparison.Ordinal);
        Assert.Contains("already used by", error, StringComparison.Ordinal);
    }

    [Fact]
    public void WatchdogHoldTooCloseToPeerTimeoutWithoutThroughRelay_IsRefusedMentioningHoldTime()
    {
        // interval 20, timeout 100: a hold of 90 ms leaves less than one interval before the standby drives.
        var text = Edit(root => Set(root, "watchdog", """{"lifePin":13,"holdTimeMs":90}"""));

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("watchdog.holdTimeMs", StringComparison.Ordinal));
    }

    [Fact]
    public void WatchdogHoldLongerThanPeerTimeoutWithoutThroughRelay_IsRefused()
    {
        var text = Edit(root =>
        {
            Set(root, "watchdog", """{"lifePin":13,"holdTimeMs":500}""");
            Set(root, "interlock", """{"iAmActivePin":5,"peerActivePin":6}""");
        });

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("watchdog.holdTimeMs", StringComparison.Ordinal));
    }

    [Fact]
    public void WatchdogHoldEqualToPeerTimeoutMinusInterval_IsRefused()
    {
        var text = Edit(root => Set(root, "watchdog", """{"lifePin":13,"holdTimeMs":80}"""));

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("watchdog.holdTimeMs", StringComparison.Ordinal));
    }

    [Fact]
    public void WatchdogHoldWellBelowPeerTimeoutMinusInterval_IsAccepted()
    {
        var text = Edit(root => Set(root, "watchdog", """{"lifePin":13,"holdTimeMs":60}"""));

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Empty(errors);
        Assert.Equal(new WatchdogOptions(13, TimeSpan.FromMilliseconds(60)), options!.Watchdog);
    }

    [Fact]
    public void WatchdogHoldLongerThanPeerTimeoutWithPeerActiveThroughRelay_IsAccepted()
    {
        var text = Edit(root =>
        {
            Set(root, "watchdog", """{"lifePin":13,"holdTimeMs":500}""");
            Set(root, "interlock", """{"iAmActivePin":5,"peerActivePin":6,"peerActiveThroughRelay":true}""");
        });

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.True(options.Interlock!.PeerActiveThroughRelay);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Watchdog!.HoldTime);
    }

    [Fact]
    public void SeveralInvalidValues_AreAllReported()
    {
        var text = Edit(root =>
        {
            Set(root, "nodeId", "0");
            Set(root, "pairKeyFile", null);
            Set(root, "gpio", """{"driver":"sysfs"}""");
        });

        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith("nodeId: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("pairKeyFile: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("gpio.driver: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("colour", "\"red\"", "colour")]
    [InlineData("PairId", "7", "PairId")]
    public void UnknownTopLevelProperty_IsRefusedNamingIt(string property, string json, string named)
    {
        var options = AgentConfig.Parse(Edit(root => root[property] = JsonNode.Parse(json)), out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownNestedProperty_IsRefusedNamingIt()
    {
        var options = AgentConfig.Parse(Edit(root => Set(root, "heartbeat", """{"peerTimoutMs":300}""")), out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("peerTimoutMs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nodeId", "\"one\"", "nodeId")]
    [InlineData("heartbeat", """{"intervalMs":"fast"}""", "heartbeat.intervalMs")]
    [InlineData("heartbeat", """{"soloStart":"yes"}""", "heartbeat.soloStart")]
    [InlineData("outputs", """{"name":"pump1"}""", "outputs")]
    [InlineData("nodeId", "1.5", "nodeId")]
    public void WrongJsonType_IsRefusedNamingThePath(string property, string json, string path)
    {
        var options = AgentConfig.Parse(Edit(root => Set(root, property, json)), out var errors);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"pairId\":7,")]
    [InlineData("")]
    [InlineData("[1,2,3]")]
    [InlineData("42")]
    [InlineData("null")]
    public void NotAJsonObject_IsRefusedWithOneError(string text)
    {
        var options = AgentConfig.Parse(text, out var errors);

        Assert.Null(options);
        Assert.Single(errors);
    }

    private static string Edit(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(Minimal)!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    /// <summary>Sets <paramref name="property"/> to the JSON <paramref name="json"/>, or removes it when null.</summary>
    private static void Set(JsonObject root, string property, string? json)
    {
        if (json is null)
        {
            root.Remove(property);
        }
        else
        {
            root[property] = JsonNode.Parse(json);
        }
    }
}
