using Redundancy.Core.Configuration;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>The control section: the socket's path and the group that may change the node.</summary>
public sealed class AgentConfigControlTests
{
    private const string Base = """
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","gpio":{"driver":"simulated","simulatorSocket":"/s"},"udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"}
        """;

    [Fact]
    public void NoControlGroup_IsNull()
    {
        var options = AgentConfig.Parse(Base + "}", out var errors);

        Assert.Empty(errors);
        Assert.Null(options!.ControlGroup);
        Assert.Equal("/run/redundancy/control.sock", options.ControlSocket);
    }

    [Theory]
    [InlineData("redundancy")]
    [InlineData("_ops")]
    [InlineData("plant.operators-2")]
    public void ControlGroupName_IsRead(string group)
    {
        var options = AgentConfig.Parse(Base + $$$""","control":{"group":"{{{group}}}"}}""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(group, options!.ControlGroup);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1000")]
    [InlineData("-ops")]
    [InlineData("ops team")]
    [InlineData("a-name-that-is-longer-than-32-characters")]
    public void ControlGroupThatIsNotAGroupName_IsRefusedNamingTheField(string group)
    {
        var options = AgentConfig.Parse(Base + $$$""","control":{"group":"{{{group}}}"}}""", out var errors);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.StartsWith("control.group: must be a group name", error, StringComparison.Ordinal);
        Assert.Contains($"\"{group}\"", error, StringComparison.Ordinal);
    }
}
