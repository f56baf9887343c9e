using System.Text.Json.Nodes;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>A node whose GPIO driver cannot drive real pins starts Faulted, saying what to install, and never takes over.</summary>
[Collection("pair")]
public sealed class GpioDriverTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void AutoDriverOnAMachineWithoutLibgpiod_NodeIsFaulted_NamingThePackage_AndNeverTakesOver()
    {
        Assert.False(File.Exists("/dev/gpiochip0"), "this test is about a machine without GPIO");
        using var pair = PairHarness.Create(Spec);
        var path = pair.ConfigPath("B");
        var config = JsonNode.Parse(File.ReadAllText(path))!;
        config["gpio"] = new JsonObject { ["driver"] = "auto" };
        File.WriteAllText(path, config.ToJsonString());

        pair.StartAgent("A");
        pair.StartAgent("B");
        var faulted = pair.B.WaitForRole("Faulted", Wait);

        Assert.True(faulted is not null, Dump(pair));
        Assert.Contains("gpio.driver auto: libgpiod is not installed", faulted.Reason, StringComparison.Ordinal);
        Assert.Contains("apt install libgpiod3", faulted.Reason, StringComparison.Ordinal);
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Dump(pair));

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        Hold(TimeSpan.FromMilliseconds(600));
        Assert.DoesNotContain(pair.B.Received, e => e.T > killAt && e.Event.IsTakeover());
    }
}
