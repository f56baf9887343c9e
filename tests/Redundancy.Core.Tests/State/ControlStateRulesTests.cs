using Redundancy.Core.Replication;
using Redundancy.Core.State;

namespace Redundancy.Core.Tests.State;

/// <summary>One rule for keys and values, in UTF-8 bytes, for every way in.</summary>
public sealed class ControlStateRulesTests
{
    [Fact]
    public void KeyOf200TwoByteCharacters_IsRefusedInBytes()
    {
        var problem = ControlStateRules.KeyProblem(new string('é', 200));

        Assert.NotNull(problem);
        Assert.Contains("256 UTF-8 bytes", problem);
        Assert.Contains("400 bytes", problem);
    }

    [Fact]
    public void KeyOfExactly256Bytes_IsAcceptedByTheRuleAndTheLog()
    {
        var key = new string('é', 128);

        Assert.Null(ControlStateRules.KeyProblem(key));
        Assert.Equal(ReplicationMessages.EntryFixedLength + 256, ReplicationMessages.EntryLength(new ChangeEntry(1, 1, key, null, 0)));
    }

    [Theory]
    [InlineData("a", 0xD800, "b", "unpaired surrogate")]
    [InlineData("", 0xDC00, "", "unpaired surrogate")]
    [InlineData("a", 0x0A, "b", "control character")]
    public void BadKey_IsRefusedSayingWhat(string before, int bad, string after, string expected)
    {
        // Built here: a lone surrogate in the attribute would be replaced when the test case is serialized.
        Assert.Contains(expected, ControlStateRules.KeyProblem(before + (char)bad + after));
    }

    [Fact]
    public void EmptyKey_IsRefused()
    {
        Assert.Contains("empty", ControlStateRules.KeyProblem(string.Empty));
    }

    [Fact]
    public void KeyWithAPairedSurrogate_CountsFourBytes()
    {
        Assert.Null(ControlStateRules.KeyProblem(new string('a', 252) + "😀"));
        Assert.NotNull(ControlStateRules.KeyProblem(new string('a', 253) + "😀"));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("lone", "unpaired surrogate")]
    public void BadValue_IsRefusedNamingTheKey(string value, string expected)
    {
        var problem = ControlStateRules.WriteProblem("pump", value == "lone" ? "\"" + (char)0xD800 + "\"" : value);

        Assert.Contains(expected, problem);
        Assert.Contains("pump", problem);
    }

    [Fact]
    public void ValueOverTheLimitInBytes_IsRefused()
    {
        var value = "\"" + new string('é', 33_000) + "\"";

        Assert.Contains("65536", ControlStateRules.StoredValueProblem("k", value));
    }
}
