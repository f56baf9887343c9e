using System.Text.Json.Nodes;
using Redundancy.Core.Configuration;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>The <c>mqtt</c> section: absent means no MQTT; every mistake is named by its field.</summary>
public sealed class MqttConfigTests
{
    [Fact]
    public void NoSection_NoMqtt()
    {
        var options = AgentConfig.Parse(Config(null), out var errors);
        Assert.True(options is not null, string.Join("; ", errors));
        Assert.Null(options!.Mqtt);
    }

    [Fact]
    public void MinimalSection_TakesTheDefaults()
    {
        var options = AgentConfig.Parse(Config("""{"broker":"scada.plant.local:1883"}"""), out var errors);

        Assert.True(options is not null, string.Join("; ", errors));
        var m = options!.Mqtt!;
        Assert.Equal("scada.plant.local", m.Host);
        Assert.Equal(1883, m.Port);
        Assert.Equal("redundancy/7", m.Prefix);
        Assert.Equal("redundancy-7-A", m.ClientId);
        Assert.Equal(TimeSpan.FromSeconds(10), m.StatusInterval);
        Assert.Equal(1000, m.EventQueue);
        Assert.Null(m.Sparkplug);
    }

    [Theory]
    [InlineData("""{"broker":"nohost"}""", "mqtt.broker")]
    [InlineData("""{"broker":"host:99999"}""", "mqtt.broker")]
    [InlineData("""{"broker":":1883"}""", "mqtt.broker")]
    [InlineData("""{}""", "mqtt.broker")]
    [InlineData("""{"broker":"h:1883","prefix":"plant/#"}""", "mqtt.prefix")]
    [InlineData("""{"broker":"h:1883","prefix":"/plant"}""", "mqtt.prefix")]
    [InlineData("""{"broker":"h:1883","prefix":"$SYS/x"}""", "mqtt.prefix")]
    [InlineData("""{"broker":"h:1883","passwordFile":"/etc/p"}""", "mqtt.passwordFile")]
    [InlineData("""{"broker":"h:1883","statusIntervalS":0}""", "mqtt.statusIntervalS")]
    [InlineData("""{"broker":"h:1883","eventQueue":5000}""", "mqtt.eventQueue")]
    [InlineData("""{"broker":"h:1883","sparkplug":{"enabled":true,"group":"a/b"}}""", "mqtt.sparkplug.group")]
    [InlineData("""{"broker":"h:1883","sparkplug":{"enabled":true,"edgeNode":"x+"}}""", "mqtt.sparkplug.edgeNode")]
    [InlineData("""{"broker":"h:1883","homeAssistant":{"enabled":true,"discoveryPrefix":"ha/#"}}""", "mqtt.homeAssistant.discoveryPrefix")]
    [InlineData("""{"broker":"h:1883","tls":{"certFile":"/etc/c.pem"}}""", "mqtt.tls.keyFile")]
    [InlineData("""{"broker":"h:1883","commands":{"enabled":true,"maxSkewS":0}}""", "mqtt.commands.maxSkewS")]
    [InlineData("""{"broker":"h:1883","commands":{"enabled":true,"maxSkewS":3600}}""", "mqtt.commands.maxSkewS")]
    public void Mistakes_AreNamedByTheirField(string section, string field)
    {
        var options = AgentConfig.Parse(Config(section), out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith(field + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void RemoteCommands_OffUnlessEnabled_ThirtySecondsOfSkewByDefault()
    {
        var absent = AgentConfig.Parse(Config("""{"broker":"h:1883"}"""), out _);
        var off = AgentConfig.Parse(Config("""{"broker":"h:1883","commands":{"maxSkewS":10}}"""), out _);
        var on = AgentConfig.Parse(Config("""{"broker":"h:1883","commands":{"enabled":true}}"""), out var errors);

        Assert.Null(absent!.Mqtt!.Commands);
        Assert.Null(off!.Mqtt!.Commands);
        Assert.True(on is not null, string.Join("; ", errors));
        Assert.Equal(TimeSpan.FromSeconds(30), on!.Mqtt!.Commands!.MaxSkew);
    }

    [Fact]
    public void Sparkplug_OffUnlessEnabled_DefaultsWhenOn()
    {
        var off = AgentConfig.Parse(Config("""{"broker":"h:1883","sparkplug":{"group":"G"}}"""), out _);
        Assert.Null(off!.Mqtt!.Sparkplug);

        var on = AgentConfig.Parse(Config("""{"broker":"h:1883","sparkplug":{"enabled":true,"primaryHost":"scada1"}}"""), out var errors);
        Assert.True(on is not null, string.Join("; ", errors));
        Assert.Equal(new SparkplugOptions("Redundancy", "pair7-A", "scada1"), on!.Mqtt!.Sparkplug);
    }

    private static string Config(string? mqtt)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "firmware-config", "examples");
        var example = Directory.GetFiles(Path.GetFullPath(path), "*a*.json").OrderBy(f => f, StringComparer.Ordinal).First();
        var root = JsonNode.Parse(File.ReadAllText(example))!.AsObject();
        root["pairId"] = 7;
        root["nodeName"] = "A";
        root.Remove("mqtt");
        if (mqtt is not null)
        {
            root["mqtt"] = JsonNode.Parse(mqtt);
        }

        return root.ToJsonString();
    }
}
