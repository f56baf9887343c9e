using System.Diagnostics;
using System.Text.Json.Nodes;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>The active's disk stalls in fsync (an SD card does): black-box through real agents on a FUSE file system.</summary>
[Collection("pair")]
public sealed class HungDiskTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "semi-sync" };

    [SkippableFact]
    public async Task ActiveDiskStallsInFsync_AlarmThenFault_StandbyTakesOver_WriteGetsAnOutcome_NodeRejoinsWhenReleased()
    {
        using var pair = PairHarness.Create(Spec);
        using var disk = StallingDisk.TryMount(Path.Combine(pair.Directory, "data-A"), pair.Directory, out var whyNot);
        Skip.If(disk is null, $"FUSE cannot mount here ({whyNot}): the hung-disk test needs fuse3 and python3-fusepy as root (tools/ensure-deps.sh)");

        foreach (var node in new[] { "A", "B" })
        {
            pair.EditConfig(node, c => c["storage"] = new JsonObject { ["commitAlarmMs"] = 300, ["commitFaultMs"] = 1500, ["retryIntervalMs"] = 500 });
        }

        try
        {
            pair.StartAgent("A");
            pair.StartAgent("B");
            pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
            using var a = pair.Control("A");
            Assert.True(a.Set("before", "1").Ok, Dump(pair));

            var stalledAt = pair.Cabinet.Mark("fsync stalls on A");
            disk.Stall();
            var sw = Stopwatch.StartNew();
            var write = Task.Run(() => a.Set("during", "2")); // its commit hangs in fdatasync
            var answered = await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(answered == write, "the write got no answer within 10 s" + Dump(pair));
            var answer = await write;
            var answeredAfter = sw.Elapsed;

            Assert.False(answer.Ok, answer.ToString());
            Assert.Contains("UNKNOWN", answer.Error!);
            Assert.True(answeredAfter < TimeSpan.FromSeconds(5), $"the write waited {answeredAfter.TotalSeconds:F1} s");
            Assert.True(pair.A.WaitForAlarm("StorageSlow", Wait, stalledAt) is not null, Dump(pair));
            Assert.True(pair.A.WaitForRole("Faulted", Wait, stalledAt) is not null, Dump(pair));
            Assert.True(pair.B.WaitForRole("Active", Wait, stalledAt) is not null, Dump(pair));

            var releasedAt = pair.Cabinet.Mark("fsync released");
            disk.Release();
            Assert.True(pair.A.WaitForRole("Standby", TimeSpan.FromSeconds(20), releasedAt) is not null, Dump(pair));
            using var a2 = pair.Control("A");
            using var b = pair.Control("B");
            Assert.True(Eventually(() => a2.State().SequenceEqual(b.State()), Wait), Dump(pair));
        }
        finally
        {
            disk.Release();
            foreach (var node in pair.Started)
            {
                pair.Agent(node).Signal(Signals.Kill);
                pair.Agent(node).WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
    }
}
