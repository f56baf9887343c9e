using Redundancy.Edges.Scheduling;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Two real agent processes: a dead, hung or stopping active is replaced, never with both driving.</summary>
[Collection("pair")]
public sealed class FailoverTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void HeartbeatThreads_AllocateNothingOnceThePairRuns()
    {
        // They run at real-time priority: a collection that their allocation triggers would run on them. The
        // engine allocated ~67 KB/s before (link texts, a boxed enumerator, announcements).
        using var pair = PairHarness.StartPair(Spec with { ReplicationMode = "sync" });
        foreach (var node in new[] { "A", "B" })
        {
            using var c = pair.Control(node);
            Assert.True(Eventually(() => c.Diagnostics().HeartbeatThreadsAllocatedBytes.Count == 5, Wait), Dump(pair));
        }

        using var a = pair.Control("A");
        using var b = pair.Control("B");
        for (var i = 0; i < 100; i++)
        {
            Assert.True(a.Set($"k/{i % 10}", $"{i}").Ok); // first use of every state (readiness warm, hot)
        }

        Hold(TimeSpan.FromSeconds(1));
        var before = new[] { Allocated(a), Allocated(b) };
        for (var i = 0; i < 100; i++)
        {
            Assert.True(a.Set($"k/{i % 10}", $"{i}").Ok); // replicated writes beside the heartbeats
        }

        Hold(TimeSpan.FromSeconds(2));
        var after = new[] { Allocated(a), Allocated(b) };
        for (var n = 0; n < 2; n++)
        {
            foreach (var (thread, bytes) in after[n])
            {
                // Per frame, even 40 bytes would be 16 KB here (2 s, 2 links, 100 frames/s each way). Below 1 KB
                // is what a lock allocates once, the first time two of these threads meet on it.
                Assert.True(bytes - before[n][thread] < 1024, $"{(n == 0 ? "A" : "B")} {thread} allocated {bytes - before[n][thread]} bytes in 2 s" + Dump(pair));
            }
        }

        static Dictionary<string, long> Allocated(ControlClient c) =>
            c.Diagnostics().HeartbeatThreadsAllocatedBytes.ToDictionary();
    }

    [Fact]
    public void OnlyTheHeartbeatThreadsAndTheCollectorRunAtRealTimePriority()
    {
        // Threads inherit their creator's policy: the runtime's thread-pool workers and its JIT worker are born
        // on whichever thread first needs them, and a JIT worker born of a heartbeat thread compiled at
        // SCHED_FIFO for a second and held the whole machine (950 ms). The agent sets SCHED_RESET_ON_FORK.
        using var pair = PairHarness.StartPair(Spec with { ReplicationMode = "sync", RealtimePriority = 50 });
        using var a = pair.Control("A");
        for (var i = 0; i < 300; i++)
        {
            Assert.True(a.Set($"k/{i % 10}", $"{i}").Ok); // work for the pool, the JIT and storage
        }

        Hold(TimeSpan.FromSeconds(1));
        foreach (var agent in new[] { pair.A, pair.B })
        {
            var realtime = new List<string>();
            var priorities = new Dictionary<string, int>();
            foreach (var task in Directory.GetDirectories($"/proc/{agent.Pid}/task"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue; // the thread ended meanwhile
                }

                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (fields[38] != "0") // policy: 0 SCHED_OTHER, 1 FIFO, 2 RR
                {
                    var name = stat[(stat.IndexOf('(') + 1)..close];
                    realtime.Add(name);
                    priorities[name] = int.Parse(fields[37], System.Globalization.CultureInfo.InvariantCulture); // rt_priority
                    var policy = RealtimeThread.SchedulerOf(int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture));
                    Assert.True(policy < 0 || (policy & ResetOnFork) != 0, $"{name} runs at real-time priority without SCHED_RESET_ON_FORK (policy 0x{policy:x})");
                }
            }

            realtime.Sort(StringComparer.Ordinal);
            Assert.Equal([".NET Server GC", "engine", "rx-serial", "rx-udp", "spin-guard", "tx-serial", "tx-udp"], realtime);

            // A collection stops the heartbeat threads until it is done: its thread must not wait behind them.
            Assert.Equal(priorities["engine"] + 1, priorities[".NET Server GC"]);
        }

        // The server collector's own young-generation budget is ~170 MiB here: a young collection then walked
        // every object of it where survivors were scattered (36 ms of a 46 ms pause). The agent caps it.
        foreach (var node in new[] { "A", "B" })
        {
            using var c = pair.Control(node);
            var budget = c.Diagnostics().GcGen0BudgetBytes;
            Assert.True(budget is > 0 and <= 16 << 20, $"{node}: young-generation budget {budget} bytes");
        }
    }

    private const int ResetOnFork = 0x40000000;

    [Fact]
    public void ActiveKilled_StandbyDrivesWithinTheTimeout_WithNoOverlap()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), "A (preferred) should drive" + Dump(pair));

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        var took = pair.B.WaitForTakeover(Wait, killAt);
        Assert.True(took is not null, "B did not take over" + Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), "B does not drive" + Dump(pair));

        var timeline = pair.Cabinet.SettledTimeline();
        var failover = PairHarness.Ms(killAt, timeline.FirstFullDrive("B", Spec.Channels.ToArray(), killAt)!.Value);
        // Not before the peer can have been silent for the timeout, and not much after it.
        Assert.InRange(failover, Spec.PeerTimeoutMs - Spec.IntervalMs - 5, Spec.PeerTimeoutMs + 150);
        Assert.Equal(TimeSpan.Zero, timeline.Overlap());
        Assert.Equal(514UL, took.Epoch); // A took over at 257 (basis 0, node 1); B from 257 as node 2
        Assert.Contains("silent on all links", took.Reason);
        Assert.InRange(took.DetectionMs!.Value, Spec.PeerTimeoutMs, Spec.PeerTimeoutMs + 150);
    }

    [Fact]
    public void ActiveHung_WatchdogRelayCutsItsOutputs_StandbyTakesOver_AndTheOldActiveNeverDrivesAgain()
    {
        var spec = Spec with { RelayHoldMs = 60 };
        using var pair = PairHarness.StartPair(spec);
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));

        var stopAt = pair.Cabinet.Mark("SIGSTOP A");
        pair.A.Signal(Signals.Stop);
        Assert.True(pair.B.WaitForTakeover(Wait, stopAt) is not null, "B did not take over" + Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        var afterTakeover = pair.Cabinet.SettledTimeline();
        Assert.Contains(afterTakeover.Events, e => e.Node == "A" && e.Kind == "relay-open" && e.T > stopAt);
        Assert.Equal(TimeSpan.Zero, afterTakeover.Overlap());

        var contAt = pair.Cabinet.Mark("SIGCONT A");
        pair.A.Signal(Signals.Continue);
        var stepDown = pair.A.WaitForRole("Standby", Wait, contAt);
        Assert.True(stepDown is not null, "A did not step down after its stall" + Dump(pair));
        Assert.True(stepDown.Reason.Contains("stalled", StringComparison.Ordinal), stepDown.Reason + Dump(pair));
        Hold(TimeSpan.FromMilliseconds(800));

        var timeline = pair.Cabinet.SettledTimeline();
        Assert.DoesNotContain(timeline.Events, e => e.Node == "A" && e.Kind == "drive-on" && e.T > stopAt);
        Assert.Equal(TimeSpan.Zero, timeline.Overlap());
        Assert.Equal("Standby", pair.A.Role);
        Assert.True(pair.DrivesAll("B"), Dump(pair));
    }

    [Fact]
    public void ActiveHung_WithoutWatchdogRelay_BothDrive_TheDocumentedRisk()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));

        var stopAt = pair.Cabinet.Mark("SIGSTOP A");
        pair.A.Signal(Signals.Stop);
        Assert.True(pair.B.WaitForTakeover(Wait, stopAt) is not null, Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        Hold(TimeSpan.FromMilliseconds(200));

        // Without a relay nothing cuts a hung node's pins: both drive. This is why the relay (or the
        // interlock) exists, and why the agent warns at start when none is configured.
        Assert.True(pair.DrivesAll("A"));
        Assert.True(pair.Cabinet.Timeline().Overlap() >= TimeSpan.FromMilliseconds(150));
        Assert.Contains(pair.A.LogEvents, e => e.Message.Contains("no watchdog relay configured", StringComparison.Ordinal));

        var contAt = pair.Cabinet.Mark("SIGCONT A");
        pair.A.Signal(Signals.Continue);
        Assert.True(pair.A.WaitForRole("Standby", Wait, contAt) is not null, Dump(pair));
        Assert.True(Eventually(() => !pair.Cabinet.IsDriving("A", "pump1"), Wait), "A still drives after resuming" + Dump(pair));
    }

    [Fact]
    public void ActiveStopped_ReleasesFirst_StandbyTakesOverAtOnceWithoutWaitingForTheTimeout()
    {
        using var pair = PairHarness.StartPair(Spec with { PeerTimeoutMs = 1000, StartupWindowMs = 1000 });
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));

        var termAt = pair.Cabinet.Mark("SIGTERM A");
        pair.A.Signal(Signals.Terminate);
        var took = pair.B.WaitForTakeover(Wait, termAt);
        Assert.True(took is not null, Dump(pair));
        Assert.Contains("announced Stopping", took.Reason);
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        Assert.True(PairHarness.Ms(termAt, SimulatedCabinet.Now) < 1000, "B waited for the timeout instead of the announcement");
        Assert.True(pair.A.WaitForExit(Wait));
        Assert.True(pair.A.ExitCode == 0, $"exit {pair.A.ExitCode}: " + string.Join("\n", pair.A.Lines.TakeLast(15)));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void BothStartedTogether_WithEqualPriority_ExactlyOneBecomesActive()
    {
        using var pair = PairHarness.StartPair(Spec with { PriorityA = 50, PriorityB = 50 });
        Hold(TimeSpan.FromMilliseconds(500));

        var actives = new[] { pair.A, pair.B }.Count(a => a.Role == "Active");
        Assert.Equal(1, actives);
        Assert.Equal("Active", pair.A.Role); // equal priority: the lower node id wins
        Assert.True(pair.DrivesAll("A"));
        Assert.False(pair.Cabinet.IsDriving("B", "pump1"));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }
}
