using Google.Protobuf;
using Redundancy.Sparkplug.Wire;

namespace Redundancy.Sparkplug.Tests;

/// <summary>Reading a host's NCMD: a rebirth request, other metrics, and bytes that are no payload at all.</summary>
public sealed class SparkplugNodeCommandTests
{
    [Fact]
    public void RebirthTrue_AsksForARebirth()
    {
        Assert.True(SparkplugNodeCommand.TryParse(Ncmd(Rebirth(true)), out var command, out var error), error);

        Assert.True(command.Rebirth);
        Assert.Empty(command.Ignored);
    }

    [Fact]
    public void RebirthFalse_OrNoRebirthMetric_AsksNothing()
    {
        Assert.True(SparkplugNodeCommand.TryParse(Ncmd(Rebirth(false)), out var falseOne, out _));
        Assert.True(SparkplugNodeCommand.TryParse([], out var empty, out _));

        Assert.False(falseOne.Rebirth);
        Assert.False(empty.Rebirth);
    }

    [Fact]
    public void RebirthWithoutDatatype_IsReadByItsValue()
    {
        var metric = Rebirth(true);
        metric.ClearDatatype();

        Assert.True(SparkplugNodeCommand.TryParse(Ncmd(metric), out var command, out _));
        Assert.True(command.Rebirth);
    }

    [Fact]
    public void OtherMetrics_AreListedAsIgnored_TheRebirthStillTaken()
    {
        var reboot = new Payload.Types.Metric { Name = "Node Control/Reboot", Datatype = 11, BooleanValue = true };
        var byAlias = new Payload.Types.Metric { Alias = 4, LongValue = 9 };

        Assert.True(SparkplugNodeCommand.TryParse(Ncmd(reboot, Rebirth(true), byAlias), out var command, out _));

        Assert.True(command.Rebirth);
        Assert.Equal(["Node Control/Reboot", "alias 4"], command.Ignored);
    }

    [Fact]
    public void FieldsOfTheFullSchemaThatOursLeavesOut_AreSkipped()
    {
        // A host may send metric properties (field 9: a PropertySet with key "q") and payload extensions (field 6).
        byte[] properties = [0x4A, 0x03, 0x0A, 0x01, (byte)'q'];
        var metric = Rebirth(true).ToByteArray().Concat(properties).ToArray();
        byte[] payload = [0x12, (byte)metric.Length, .. metric, 0x30, 0x01];

        Assert.True(SparkplugNodeCommand.TryParse(payload, out var command, out var error), error);
        Assert.True(command.Rebirth);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x12, 0x10, 0x0A })]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x12, 0x02, 0x70 })]
    public void MalformedProtobuf_IsRefusedInPlainWords(byte[] payload)
    {
        Assert.False(SparkplugNodeCommand.TryParse(payload, out var command, out var error));

        Assert.Null(command);
        Assert.StartsWith($"NCMD payload ({payload.Length} bytes) is not a Sparkplug B payload: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonInsteadOfProtobuf_IsRefused()
    {
        Assert.False(SparkplugNodeCommand.TryParse("{\"Node Control/Rebirth\":true}"u8, out _, out var error));
        Assert.StartsWith("NCMD payload (29 bytes) is not a Sparkplug B payload", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncationOfAValidNcmd_IsRefusedOrReadNeverThrown()
    {
        var whole = Ncmd(new Payload.Types.Metric { Name = "Node Control/Reboot", Datatype = 11, BooleanValue = true }, Rebirth(true));

        for (var length = 0; length < whole.Length; length++)
        {
            var ok = SparkplugNodeCommand.TryParse(whole.AsSpan(0, length), out var command, out var error);
            Assert.True(ok ? command is not null && error is null : command is null && error is not null, $"length {length}");
        }
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(13);
        var refused = 0;
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            refused += SparkplugNodeCommand.TryParse(bytes, out _, out _) ? 0 : 1;
        }

        Assert.True(refused > 0, "random bytes all parsed: the test tests nothing");
    }

    [Fact]
    public void RebirthOfAnotherType_IsRefused()
    {
        var asString = new Payload.Types.Metric { Name = "Node Control/Rebirth", Datatype = 12, StringValue = "true" };
        var stringValueNoType = new Payload.Types.Metric { Name = "Node Control/Rebirth", StringValue = "true" };

        Assert.False(SparkplugNodeCommand.TryParse(Ncmd(asString), out _, out var typed));
        Assert.False(SparkplugNodeCommand.TryParse(Ncmd(stringValueNoType), out _, out var untyped));

        Assert.Equal("NCMD metric 'Node Control/Rebirth' has datatype 12: it must be Boolean (11)", typed);
        Assert.Equal("NCMD metric 'Node Control/Rebirth' must have a Boolean value (true to ask for a rebirth); it has a StringValue instead", untyped);
    }

    [Fact]
    public void RebirthWithoutValue_OrNull_IsRefused()
    {
        var noValue = new Payload.Types.Metric { Name = "Node Control/Rebirth", Datatype = 11 };
        var isNull = new Payload.Types.Metric { Name = "Node Control/Rebirth", Datatype = 11, IsNull = true };

        Assert.False(SparkplugNodeCommand.TryParse(Ncmd(noValue), out _, out var none));
        Assert.False(SparkplugNodeCommand.TryParse(Ncmd(isNull), out _, out var nulled));

        Assert.EndsWith("it has no value", none, StringComparison.Ordinal);
        Assert.EndsWith("it has a null value", nulled, StringComparison.Ordinal);
    }

    private static Payload.Types.Metric Rebirth(bool value) =>
        new() { Name = "Node Control/Rebirth", Datatype = (uint)SparkplugDataType.Boolean, BooleanValue = value, Timestamp = 1 };

    private static byte[] Ncmd(params Payload.Types.Metric[] metrics)
    {
        var payload = new Payload { Timestamp = 1 };
        payload.Metrics.AddRange(metrics);
        return payload.ToByteArray();
    }
}
