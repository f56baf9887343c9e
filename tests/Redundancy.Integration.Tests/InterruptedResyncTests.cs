using Redundancy.Edges.Storage;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// A standby stopped between "diverged" (its unseen entries moved to conflicts, its position rewound) and the end of
/// the snapshot that follows: its state still holds the effect of those entries. Built on disk with the store itself,
/// exactly as the interrupted resync leaves it, then run through real agents.
/// </summary>
[Collection("pair")]
public sealed class InterruptedResyncTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "semi-sync" };

    [Fact]
    public void StandbyStoppedBeforeTheSnapshot_OnReconnect_GetsTheSnapshot_AndMatchesTheActive()
    {
        using var pair = PairHarness.StartPair(Spec);
        WriteCommonHistory(pair);
        Interrupt(pair, "B");

        pair.StartAgent("A");
        pair.A.WaitForRole("Active", Wait);
        pair.StartAgent("B");
        Assert.True(pair.B.WaitForRole("Standby", Wait) is not null, Dump(pair));
        using var a = pair.Control("A");
        using var b = pair.Control("B");

        Assert.True(Eventually(() => a.State().SequenceEqual(b.State()), Wait), $"B keeps a key A never wrote: {string.Join(", ", b.State())}{Dump(pair)}");
        Assert.True(Eventually(() => b.Status().Readiness == "Hot", Wait), Dump(pair));
        Assert.DoesNotContain(b.State(), kv => kv.Key == "outputs/pump1");
    }

    [Fact]
    public void StandbyWithStateNotAgreed_TakingOverAlone_DrivesTheSafeValueOnEveryOutput_AndSaysWhy()
    {
        using var pair = PairHarness.StartPair(Spec);
        WriteCommonHistory(pair);
        Interrupt(pair, "B");

        // A is gone for good: B starts alone (solo start) and must take over with a state nobody agreed to.
        pair.EditConfig("B", c => c["heartbeat"]!["soloStart"] = true);
        var since = pair.Cabinet.Mark("B alone");
        pair.StartAgent("B");
        Assert.True(pair.B.WaitForRole("Active", Wait, since) is not null, Dump(pair));
        Hold(TimeSpan.FromMilliseconds(300));

        // pump1 is "resume" and the unagreed state says true: it must still go to its safe value (false).
        var pump = pair.Cabinet.Events.Where(e => e.T > since && e.Node == "B" && e.Kind is "pin-write" or "pin-output" && e.Subject == "17").ToArray();
        Assert.NotEmpty(pump);
        Assert.All(pump, e => Assert.Equal(0, e.Value));
        Assert.Contains(pair.B.NodeEvents, e => e.Kind == NodeEventKind.AlarmRaised && e.Reason.Contains("not agreed", StringComparison.Ordinal));
    }

    private static void WriteCommonHistory(PairHarness pair)
    {
        using var a = pair.Control("A");
        using var b = pair.Control("B");
        Assert.True(a.Set("setpoints/boiler", "72").Ok);
        Assert.True(a.Set("outputs/valve1", "false").Ok);
        Assert.True(Eventually(() => a.State().SequenceEqual(b.State()), Wait), Dump(pair));
    }

    /// <summary>Stops both agents and leaves <paramref name="node"/>'s database as a resync interrupted after the
    /// rewind leaves it: an entry of a later epoch moved to conflicts, its effect still in the state.</summary>
    private static void Interrupt(PairHarness pair, string node)
    {
        foreach (var n in new[] { "A", "B" })
        {
            pair.Agent(n).Signal(Signals.Terminate);
            Assert.True(pair.Agent(n).WaitForExit(TimeSpan.FromSeconds(10)));
        }

        using var store = ControlStateStore.Open(Path.Combine(pair.Directory, $"data-{node}", "state.db"));
        var common = store.LastSequence;
        store.Append(store.Epoch + 256, [("outputs/pump1", "true")], 0);
        Assert.Equal(1, store.MoveToConflicts(common, 0));
        Assert.Equal("true", store.Get("outputs/pump1")?.Value);
    }
}
