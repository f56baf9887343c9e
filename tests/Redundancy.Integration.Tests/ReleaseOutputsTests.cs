using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The unit's ExecStopPost path: after the agent is gone (here kill -9 of an active), systemd runs
/// <c>redundancy-agent --config ... --release-outputs</c>. The real binary, against the simulated cabinet, with the
/// active's own config: it releases every field output and drops "I am active", and drives nothing on the way.
/// </summary>
/// <remarks>The cabinet powers a node off when its process disappears (a box that lost power), so after kill -9 its
/// pins read released anyway; what this checks is what the release process itself does on the wire, which is what
/// a Pi, whose lines keep their level after the process dies, depends on.</remarks>
[Collection("pair")]
public sealed class ReleaseOutputsTests
{
    [Fact]
    public void ExecStopPost_AfterKill9_ReleasesEveryOutputAndDropsIAmActive()
    {
        using var pair = PairHarness.Create(new PairSpec { SoloStart = true, StartupWindowMs = 500, Interlock = true, RelayHoldMs = 60 });
        var a = pair.StartAgent("A");
        Assert.NotNull(a.WaitForRole("Active", Wait));
        Assert.True(Eventually(() => pair.Cabinet.Events.Any(e => e.Node == "A" && e.Kind is "pin-output" or "pin-write" && e.Subject == "22" && e.Value == 1), Wait),
            "A never asserted I-am-active");

        Assert.True(a.Signal(Signals.Kill));
        Assert.True(a.WaitForExit(Wait));
        var since = pair.Cabinet.Mark("ExecStopPost: redundancy-agent --release-outputs");
        var (code, output) = ExternalProcess.Run("dotnet", AgentBinary.Locate(), "--config", pair.ConfigPath("A"), "--release-outputs");
        Assert.True(code == 0, $"exit {code}: {output}");
        Assert.Contains("outputs of node A released", output, StringComparison.Ordinal);

        Assert.True(Eventually(() => After(pair, since).Any(e => e.Kind == "power-off"), Wait), "the release process never closed its connection");
        var release = After(pair, since);
        var what = string.Join("\n", release.Select(e => $"{e.Kind} {e.Subject} {e.Value}"));
        Assert.Equal("power-on", release[0].Kind);
        foreach (var pin in new[] { "17", "18" }) // pump1, valve1
        {
            Assert.True(release.Any(e => e.Kind == "pin-release" && e.Subject == pin), $"output pin {pin} not released:\n{what}");
        }

        Assert.True(release.Any(e => e.Subject == "22" && e.Kind is "pin-output" or "pin-write" && e.Value == 0), $"I-am-active not dropped:\n{what}");
        Assert.DoesNotContain(release, e => e.Kind is "pin-output" or "pin-write" && e.Value != 0); // never drives a pin high on the way
        Assert.False(pair.DrivesAll("A"));
    }

    private static List<CabinetEvent> After(PairHarness pair, long since) =>
        pair.Cabinet.Events.Where(e => e.T >= since && e.Node == "A").ToList();
}
