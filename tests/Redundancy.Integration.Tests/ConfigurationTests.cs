using Redundancy.Simulation.Harness;

namespace Redundancy.Integration.Tests;

/// <summary>The agent refuses bad configuration with a message naming the field, and a non-zero exit.</summary>
[Collection("pair")]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("\"nodeId\": 1,", "\"nodeId\": 300,", "nodeId: must be from 1 to 255")]
    [InlineData("\"peerTimeoutMs\": 100", "\"peerTimeoutMs\": 30", "heartbeat.peerTimeoutMs")]
    [InlineData("\"pairId\": 7,", "\"pairId\": 7, \"colour\": \"red\",", "colour")]
    [InlineData("\"driver\": \"simulated\"", "\"driver\": \"bitbang\"", "gpio.driver")]
    public void InvalidValue_ExitsWithConfigErrorNamingTheField(string from, string to, string expected)
    {
        using var pair = PairHarness.Create(new PairSpec { IntervalMs = 20, PeerTimeoutMs = 100 });
        var path = pair.ConfigPath("A");
        var json = File.ReadAllText(path);
        Assert.Contains(from, json);
        File.WriteAllText(path, json.Replace(from, to, StringComparison.Ordinal));

        var (code, output) = RunAgent(path);

        Assert.Equal(78, code);
        Assert.Contains(expected, output);
    }

    [Fact]
    public void WorldReadableKey_IsRefused()
    {
        using var pair = PairHarness.Create(new PairSpec());
        File.SetUnixFileMode(pair.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var (code, output) = RunAgent(pair.ConfigPath("A"));
        Assert.Equal(78, code);
        Assert.Contains("readable or writable by everyone", output);
    }

    [Fact]
    public void ControlSocketNamingARegularFile_IsRefused_AndTheFileKept()
    {
        using var pair = PairHarness.Create(new PairSpec());
        File.WriteAllText(pair.ControlSocket("A"), "precious");
        var (code, output) = ExternalProcess.Run("timeout", ["20", "dotnet", AgentBinary.Locate(), "--config", pair.ConfigPath("A")]);
        Assert.Equal(78, code);
        Assert.Contains("control.socket", output);
        Assert.Contains("not a socket", output);
        Assert.Equal("precious", File.ReadAllText(pair.ControlSocket("A")));
    }

    [Fact]
    public void ControlSocketOfALiveAgent_IsRefused_AndThatAgentKeepsIt()
    {
        using var pair = PairHarness.Create(new PairSpec { SoloStart = true });
        var a = pair.StartAgent("A");
        using (var probe = pair.Control("A"))
        {
            Assert.Equal("A", probe.Status().Node);
        }

        var pathB = pair.ConfigPath("B");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(pathB))!;
        config["control"]!["socket"] = pair.ControlSocket("A");
        File.WriteAllText(pathB, config.ToJsonString());
        var (code, output) = ExternalProcess.Run("timeout", ["20", "dotnet", AgentBinary.Locate(), "--config", pathB]); // 124: it ran

        Assert.Equal(78, code);
        Assert.Contains("another agent is listening", output);
        using var again = pair.Control("A");
        Assert.Equal("A", again.Status().Node);
        Assert.False(a.HasExited);
    }

    [Fact]
    public void CheckConfig_AcceptsAValidFileWithoutStarting()
    {
        using var pair = PairHarness.Create(new PairSpec());
        var (code, output) = RunAgent(pair.ConfigPath("A"), "--check-config");
        Assert.Equal(0, code);
        Assert.Contains("configuration OK", output);
    }

    [Fact]
    public void UnknownArgument_IsAUsageError()
    {
        var (code, output) = RunAgent("/nonexistent.json", "--frobnicate");
        Assert.Equal(64, code);
        Assert.Contains("unknown argument '--frobnicate'", output);
    }

    [Fact]
    public void MissingConfigFile_IsNamed()
    {
        var (code, output) = RunAgent("/nonexistent/agent.json");
        Assert.Equal(78, code);
        Assert.Contains("/nonexistent/agent.json", output);
    }

    private static (int Code, string Output) RunAgent(string config, params string[] extra) =>
        ExternalProcess.Run("dotnet", [AgentBinary.Locate(), "--config", config, .. extra]);
}
