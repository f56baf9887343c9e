namespace Redundancy.Sparkplug.Tests;

/// <summary>The topic namespace and the checking of group, edge node and host ids.</summary>
public sealed class SparkplugTopicsTests
{
    [Fact]
    public void Topics_FollowTheNamespace()
    {
        var topics = new SparkplugTopics("Plant 1", "pair-7-A");

        Assert.Equal("spBv1.0/Plant 1/NBIRTH/pair-7-A", topics.NBirth);
        Assert.Equal("spBv1.0/Plant 1/NDATA/pair-7-A", topics.NData);
        Assert.Equal("spBv1.0/Plant 1/NDEATH/pair-7-A", topics.NDeath);
        Assert.Equal("spBv1.0/Plant 1/NCMD/pair-7-A", topics.NCmd);
        Assert.Equal(topics.NCmd, topics[SparkplugMessageType.NCmd]);
        Assert.Equal("spBv1.0/STATE/scada-1", SparkplugTopics.State("scada-1"));
    }

    [Fact]
    public void Ids_MayHoldAnyOtherText()
    {
        Assert.True(SparkplugTopics.TryCreate("Usine é 🏭", "nœud A.1", out var topics, out var error), error);
        Assert.Equal("spBv1.0/Usine é 🏭/NDATA/nœud A.1", topics.NData);
    }

    [Theory]
    [InlineData("", "the Sparkplug group id must not be empty")]
    [InlineData("a/b", "the Sparkplug group id 'a/b' must not contain '/' (it separates MQTT topic levels)")]
    [InlineData("a+b", "the Sparkplug group id 'a+b' must not contain '+' (the MQTT single-level wildcard)")]
    [InlineData("#", "the Sparkplug group id '#' must not contain '#' (the MQTT multi-level wildcard)")]
    [InlineData("a\0b", "the Sparkplug group id must not contain the NUL character (MQTT forbids it in topics)")]
    public void BadGroupId_IsRefusedSayingWhatIsWrong(string groupId, string expected)
    {
        Assert.False(SparkplugTopics.TryCreate(groupId, "node", out var topics, out var error));
        Assert.Null(topics);
        Assert.Equal(expected, error);

        var thrown = Assert.Throws<ArgumentException>(() => new SparkplugTopics(groupId, "node"));
        Assert.Equal("groupId", thrown.ParamName);
        Assert.StartsWith(expected, thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "the Sparkplug edge node id must not be empty")]
    [InlineData("node/A", "the Sparkplug edge node id 'node/A' must not contain '/' (it separates MQTT topic levels)")]
    [InlineData("+", "the Sparkplug edge node id '+' must not contain '+' (the MQTT single-level wildcard)")]
    [InlineData("A#1", "the Sparkplug edge node id 'A#1' must not contain '#' (the MQTT multi-level wildcard)")]
    public void BadEdgeNodeId_IsRefusedSayingWhatIsWrong(string? edgeNodeId, string expected)
    {
        Assert.False(SparkplugTopics.TryCreate("group", edgeNodeId, out _, out var error));
        Assert.Equal(expected, error);

        var thrown = Assert.Throws<ArgumentException>(() => new SparkplugTopics("group", edgeNodeId!));
        Assert.Equal("edgeNodeId", thrown.ParamName);
    }

    [Fact]
    public void IdWithALoneSurrogate_IsRefused()
    {
        // Not a theory: a lone surrogate does not survive the test runner's serialization of theory data.
        var id = "a" + (char)0xD800 + "b";

        Assert.False(SparkplugTopics.TryCreate("group", id, out _, out var error));
        Assert.Equal($"the Sparkplug edge node id '{id}' is not valid text (a lone UTF-16 surrogate)", error);
    }

    [Fact]
    public void BadHostId_IsRefused()
    {
        var thrown = Assert.Throws<ArgumentException>(() => SparkplugTopics.State("scada/1"));
        Assert.StartsWith("the Sparkplug host id 'scada/1' must not contain '/'", thrown.Message, StringComparison.Ordinal);
    }
}
