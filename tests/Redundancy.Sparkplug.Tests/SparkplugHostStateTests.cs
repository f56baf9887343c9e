using System.Text;

namespace Redundancy.Sparkplug.Tests;

/// <summary>The primary host's STATE message (Sparkplug 3.0): topic, JSON payload, ordering by timestamp.</summary>
public sealed class SparkplugHostStateTests
{
    [Theory]
    [InlineData("""{"online":true,"timestamp":1760000000000}""", true)]
    [InlineData("""{ "timestamp": 1760000000000, "online": false, "extra": [1] }""", false)]
    public void State_IsRead(string json, bool online)
    {
        Assert.True(SparkplugHostState.TryParse("spBv1.0/STATE/scada-1", Encoding.UTF8.GetBytes(json), out var state, out var error), error);

        Assert.Equal(new SparkplugHostState("scada-1", online, 1_760_000_000_000), state);
    }

    [Theory]
    [InlineData("spBv1.0/STATE/", "STATE topic 'spBv1.0/STATE/': the Sparkplug host id must not be empty")]
    [InlineData("spBv1.0/STATE/a/b", "STATE topic 'spBv1.0/STATE/a/b': the Sparkplug host id 'a/b' must not contain '/' (it separates MQTT topic levels)")]
    [InlineData("STATE/scada-1", "STATE topic 'STATE/scada-1' is Sparkplug 2.2's form: a 3.0 host publishes on 'spBv1.0/STATE/<host id>'")]
    [InlineData("spBv1.0/Plant/NCMD/node", "'spBv1.0/Plant/NCMD/node' is not a STATE topic: it must be 'spBv1.0/STATE/<host id>'")]
    [InlineData(null, "'' is not a STATE topic: it must be 'spBv1.0/STATE/<host id>'")]
    public void BadTopic_IsRefused(string? topic, string expected)
    {
        Assert.False(SparkplugHostState.TryParse(topic, """{"online":true,"timestamp":1}"""u8, out var state, out var error));

        Assert.Null(state);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("ONLINE", "STATE payload is Sparkplug 2.2's plain ONLINE/OFFLINE: a 3.0 host sends {\"online\":true|false,\"timestamp\":ms}")]
    [InlineData("", "STATE payload is not JSON: ")]
    [InlineData("{\"online\":true", "STATE payload is not JSON: ")]
    [InlineData("{\"online\":true,\"timestamp\":1} x", "STATE payload is not JSON: ")]
    [InlineData("[true,1]", "STATE payload must be a JSON object, not array")]
    [InlineData("{\"timestamp\":1}", "STATE payload has no \"online\"")]
    [InlineData("{\"online\":\"true\",\"timestamp\":1}", "STATE \"online\" must be true or false, not \"true\"")]
    [InlineData("{\"online\":true}", "STATE payload has no \"timestamp\"")]
    [InlineData("{\"online\":true,\"timestamp\":-1}", "STATE \"timestamp\" must be whole milliseconds since 1970 (0 or more), not -1")]
    [InlineData("{\"online\":true,\"timestamp\":1.5}", "STATE \"timestamp\" must be whole milliseconds since 1970 (0 or more), not 1.5")]
    [InlineData("{\"online\":true,\"timestamp\":\"1760000000000\"}", "STATE \"timestamp\" must be whole milliseconds since 1970 (0 or more), not \"1760000000000\"")]
    public void BadPayload_IsRefusedInPlainWords(string payload, string expected)
    {
        Assert.False(SparkplugHostState.TryParse("spBv1.0/STATE/scada-1", Encoding.UTF8.GetBytes(payload), out _, out var error));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void PayloadThatIsNotUtf8_IsRefused()
    {
        Assert.False(SparkplugHostState.TryParse("spBv1.0/STATE/scada-1", [0x7B, 0xFF, 0xFE, 0x7D], out _, out var error));
        Assert.StartsWith("STATE payload is not JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOlderState_DoesNotSupersedeANewerOne()
    {
        var online = new SparkplugHostState("scada-1", true, 2000);

        Assert.True(online.Supersedes(null));
        Assert.True(new SparkplugHostState("scada-1", false, 2000).Supersedes(online));
        Assert.True(new SparkplugHostState("scada-1", false, 2001).Supersedes(online));
        Assert.False(new SparkplugHostState("scada-1", false, 1999).Supersedes(online));
    }
}
