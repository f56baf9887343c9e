using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>A disk that fills up under the active, black-box through real agents on a real (small) tmpfs.</summary>
[Collection("pair")]
public sealed class StorageFaultTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "semi-sync" };

    [Fact]
    public void FullDiskOnTheActive_WriteOutcomeUnknown_StandbyTakesOver_ReadsAnswer_NodeRejoinsWhenFreed()
    {
        using var pair = PairHarness.Create(Spec);
        using var disk = new Tmpfs(Path.Combine(pair.Directory, "data-A"), 8 * 1024);
        try
        {
            pair.StartAgent("A");
            pair.StartAgent("B");
            pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
            using var a = pair.Control("A");
            Assert.True(a.Set("before", "1").Ok, Dump(pair));
            Assert.True(Eventually(() => ReadOn(pair, "B", "before") is not null, Wait), Dump(pair));

            disk.Fill();
            // LiteDB reuses its log file after a checkpoint, so the first writes may still find room in it: write until
            // one fails (the 8 MiB disk cannot take 200 of these).
            var value = $"\"{new string('x', 60 * 1024)}\"";
            var failed = a.Set("during", value);
            for (var i = 0; i < 200 && failed.Ok; i++)
            {
                failed = a.Set($"during{i}", value);
            }

            Assert.False(failed.Ok, Dump(pair));
            Assert.Contains("UNKNOWN", failed.Error!);
            Assert.True(pair.B.WaitForRole("Active", Wait) is not null, Dump(pair));
            Assert.False(pair.A.HasExited, Dump(pair));

            // Reads still answer on the node whose disk is full (every request gets an answer on the same connection),
            // and serve the committed state once the database is reopened read-only, within a few seconds.
            Assert.True(Eventually(() => a.Get("before").Ok, Wait), a.Get("before").ToString() + Dump(pair));
            var list = a.List();
            Assert.True(list.Ok, list.ToString() + Dump(pair));
            Assert.True(a.Conflicts().Ok);
            Assert.Equal("Faulted", a.Status().Role);

            using var b = pair.Control("B");
            Assert.True(b.Set("while-full", "3").Ok, Dump(pair));
            var since = pair.Cabinet.Mark("disk freed");
            disk.Free();

            Assert.True(pair.A.WaitForRole("Standby", TimeSpan.FromSeconds(30), since) is not null, Dump(pair));
            Assert.True(Eventually(() => ReadOn(pair, "A", "while-full") is not null, Wait), Dump(pair));
            using var a2 = pair.Control("A");
            using var b2 = pair.Control("B");
            Assert.Equal(b2.State(), a2.State());
        }
        finally
        {
            foreach (var node in pair.Started)
            {
                pair.Agent(node).Signal(Signals.Kill);
                pair.Agent(node).WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
    }

    private static string? ReadOn(PairHarness pair, string node, string key)
    {
        using var c = pair.Control(node);
        var answer = c.Get(key);
        return answer.Ok ? Text(answer.Value) : null;
    }
}
