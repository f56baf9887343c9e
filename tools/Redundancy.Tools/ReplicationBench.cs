using System.Diagnostics;
using System.Globalization;
using Redundancy.Edges.Storage;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;

namespace Redundancy.Tools;

/// <summary>
/// Replication benchmark: raw LiteDB commits/s, then writes/s through an agent's control socket alone (the local
/// limit), on a sync pair and on an async pair (with write latency), then the catch-up of 100k entries after a
/// standby restart. The pairs run at heartbeat 10 ms / timeout 30 ms and count role changes during the storms.
/// </summary>
internal static class ReplicationBench
{
    public static int Run(string[] args)
    {
        var seconds = Arg(args, "--seconds", 5);
        var writers = Arg(args, "--writers", 8);
        var catchUp = Arg(args, "--catch-up", 100_000);
        var warmUp = Arg(args, "--warm-up", 5);
        var realtime = !args.Contains("--no-rt");
        var spec = new PairSpec
        {
            IntervalMs = 10,
            PeerTimeoutMs = 30,
            StartupWindowMs = 300,
            RetentionEntries = catchUp * 2,
            RealtimePriority = realtime ? 50 : 0,
        };
        Console.WriteLine($"replication benchmark: {writers} writers x {seconds} s per storm through the control socket, heartbeat 10 ms / timeout 30 ms");

        var commits = RawCommits(TimeSpan.FromSeconds(2));
        Console.WriteLine(F($"  raw LiteDB commits (one write per transaction): {commits:F0}/s"));

        double local;
        (double P50, double P99) localLatency, syncLatency, asyncLatency;
        using (var solo = PairHarness.Create(spec with { ReplicationMode = null, SoloStart = true }))
        {
            solo.StartAgent("A");
            solo.A.WaitForRole("Active", TimeSpan.FromSeconds(20));
            WarmUp(solo, writers, warmUp);
            local = Storm(solo, "A", writers, seconds, "local").Rate;
            localLatency = Latency(solo, "A", seconds, "local");
        }

        var roleChanges = 0;
        var lateMax = 0.0;
        (double Rate, double P50, double P99) sync;
        using (var pair = PairHarness.StartPair(spec with { ReplicationMode = "sync", SyncTimeoutMs = 5000 }))
        {
            WaitConnected(pair);
            WarmUp(pair, writers, warmUp);
            sync = Storm(pair, "A", writers, seconds, "sync");
            syncLatency = Latency(pair, "A", seconds, "sync");
            (roleChanges, lateMax) = Health(pair, roleChanges, lateMax);
        }

        (double Rate, double P50, double P99) async;
        double catchUpSeconds;
        using (var pair = PairHarness.StartPair(spec with { ReplicationMode = "async" }))
        {
            WaitConnected(pair);
            WarmUp(pair, writers, warmUp);
            async = Storm(pair, "A", writers, seconds, "async");
            asyncLatency = Latency(pair, "A", seconds, "async");
            (roleChanges, lateMax) = Health(pair, roleChanges, lateMax);
            var restartAt = SimulatedCabinet.Now;
            catchUpSeconds = CatchUp(pair, catchUp, writers);
            (roleChanges, lateMax) = Health(pair, roleChanges, lateMax, restartAt);
        }

        var json = F($"{{\"bench\":\"replication\",\"local_wps\":{local:F0},\"sync_wps\":{sync.Rate:F0},\"async_wps\":{async.Rate:F0},\"sync_ratio\":{sync.Rate / local:F2},\"async_ratio\":{async.Rate / local:F2},\"sync_p99_ms\":{syncLatency.P99:F2},\"catchup_100k_s\":{catchUpSeconds:F2},\"role_changes_during_storms\":{roleChanges},\"heartbeat_late_max_ms\":{lateMax:F1},\"raw_commits_per_s\":{commits:F0},\"sync_p50_ms\":{syncLatency.P50:F2},\"local_p99_ms\":{localLatency.P99:F2},\"async_p99_ms\":{asyncLatency.P99:F2},\"sync_storm_p50_ms\":{sync.P50:F2},\"sync_storm_p99_ms\":{sync.P99:F2},\"writers\":{writers}}}");
        Console.WriteLine();
        Console.WriteLine(" measure                          value      target");
        Console.WriteLine(F($" local writes/s ({writers} writers)      {local,10:F0}      (the limit)"));
        Console.WriteLine(F($" sync writes/s                {sync.Rate,10:F0}      ratio {sync.Rate / local:F2} >= 0.5"));
        Console.WriteLine(F($" async writes/s               {async.Rate,10:F0}      ratio {async.Rate / local:F2} >= 0.9"));
        Console.WriteLine(F($" write latency p50/p99, one writer at a time:"));
        Console.WriteLine(F($"   local                      {localLatency.P50,6:F2}/{localLatency.P99:F2} ms"));
        Console.WriteLine(F($"   sync                       {syncLatency.P50,6:F2}/{syncLatency.P99:F2} ms  p99 <= 2 ms"));
        Console.WriteLine(F($"   async                      {asyncLatency.P50,6:F2}/{asyncLatency.P99:F2} ms"));
        Console.WriteLine(F($" sync latency in the storm    {sync.P50,6:F2}/{sync.P99:F2} ms  ({writers} writers queue behind each other)"));
        Console.WriteLine(F($" catch-up of {catchUp}         {catchUpSeconds,10:F2} s    <= 2 s"));
        Console.WriteLine(F($" role changes in storms       {roleChanges,10}      0"));
        Console.WriteLine(F($" heartbeat late max           {lateMax,10:F1} ms"));
        Console.WriteLine(json);
        return 0;
    }

    private static double RawCommits(TimeSpan duration)
    {
        var dir = Path.Combine(Path.GetTempPath(), "rdy-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var store = ControlStateStore.Open(Path.Combine(dir, "state.db"));
            var sw = Stopwatch.StartNew();
            var n = 0;
            while (sw.Elapsed < duration)
            {
                store.Append(1, [($"k{n % 100}", "{\"v\":1}")], 0);
                n++;
            }

            return n / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static readonly List<(long From, long To)> Windows = [];

    /// <summary>
    /// Writes as a storm does, unmeasured: the agents are fresh processes, and for their first 5-8 s the runtime
    /// recompiles the hot code (tiered compilation, ~2000 methods) on up to half a core of the two this machine has.
    /// Role changes during it still count.
    /// </summary>
    private static void WarmUp(PairHarness pair, int writers, int seconds)
    {
        if (seconds <= 0)
        {
            return;
        }

        var (latencies, elapsed) = Writers(pair, "A", writers, seconds);
        Console.WriteLine(F($"  warm-up: {latencies.Sum(l => l.Count)} writes in {elapsed.TotalSeconds:F1} s, not measured"));
    }

    private static (double Rate, double P50, double P99) Storm(PairHarness pair, string node, int writers, int seconds, string label)
    {
        var before = Grouping(pair);
        var (latencies, elapsed) = Writers(pair, node, writers, seconds);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var rate = all.Length / elapsed.TotalSeconds;
        var p50 = Percentile(all, 0.5);
        var p99 = Percentile(all, 0.99);
        Console.WriteLine(F($"  {label,-6} storm: {all.Length} writes in {elapsed.TotalSeconds:F1} s = {rate:F0}/s, latency p50 {p50:F2} ms p99 {p99:F2} ms"));
        foreach (var (n, (commits, entries)) in Grouping(pair))
        {
            var (c0, e0) = before[n];
            Console.WriteLine(F($"    {n}: {entries - e0} entries in {commits - c0} commits ({(entries - e0) / (double)Math.Max(1, commits - c0):F1} a commit)"));
        }
        return (rate, p50, p99);
    }

    /// <summary><paramref name="writers"/> closed-loop writers on <paramref name="node"/> for <paramref name="seconds"/>:
    /// each one's latencies (ms) and the time they took.</summary>
    private static (List<double>[] Latencies, TimeSpan Elapsed) Writers(PairHarness pair, string node, int writers, int seconds)
    {
        var latencies = new List<double>[writers];
        var from = SimulatedCabinet.Now;
        var deadline = Stopwatch.StartNew();
        // Dedicated threads, not pool tasks: each writer blocks on its socket, and a starved thread pool would
        // quietly run fewer writers at once than asked for.
        var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            using var client = new LeanWriter(pair.ControlSocket(node), $"storm/{w}/");
            latencies[w] = WriteUntil(client, deadline, seconds);
        })).ToArray();
        RunAll(threads);
        Windows.Add((from, SimulatedCabinet.Now));
        return (latencies, deadline.Elapsed);
    }

    /// <summary>Each running node's storage commits and the entries they added, since it started.</summary>
    private static Dictionary<string, (long Commits, long Entries)> Grouping(PairHarness pair)
    {
        var result = new Dictionary<string, (long, long)>();
        foreach (var node in pair.Started)
        {
            using var c = pair.Control(node);
            var s = c.Status();
            result[node] = (s.StorageCommits, s.StorageEntries);
        }

        return result;
    }

    /// <summary>
    /// Write latency with one writer and one write in flight: the time a write costs, not the time it spends
    /// queued behind other writers (in a storm of N closed-loop writers that is N / throughput, Little's law).
    /// </summary>
    private static (double P50, double P99) Latency(PairHarness pair, string node, int seconds, string label)
    {
        using var client = new LeanWriter(pair.ControlSocket(node), "latency/");
        var latencies = WriteUntil(client, Stopwatch.StartNew(), seconds);
        latencies.Sort();
        var p50 = Percentile(latencies, 0.5);
        var p99 = Percentile(latencies, 0.99);
        var p90 = Percentile(latencies, 0.9);
        var over2 = latencies.Count == 0 ? 0 : 100.0 * latencies.Count(l => l > 2) / latencies.Count;
        Console.WriteLine(F($"  {label,-6} one writer: {latencies.Count} writes, latency p50 {p50:F2} ms p90 {p90:F2} ms p99 {p99:F2} ms max {latencies.LastOrDefault():F2} ms, {over2:F1}% over 2 ms"));
        return (p50, p99);
    }

    /// <summary>The <paramref name="q"/> quantile of <paramref name="sorted"/> (nearest rank), 0 when empty.</summary>
    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];

    /// <summary>Writes one key after another (of 1000) until <paramref name="seconds"/> have passed on
    /// <paramref name="clock"/>; the latency of each acknowledged write, in ms.</summary>
    private static List<double> WriteUntil(LeanWriter client, Stopwatch clock, int seconds)
    {
        var latencies = new List<double>(100_000);
        var i = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var start = Stopwatch.GetTimestamp();
            i++;
            if (client.Set(i % 1000, i))
            {
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return latencies;
    }

    private static double CatchUp(PairHarness pair, int entries, int writers)
    {
        Console.WriteLine($"  catch-up: standby stopped, {entries} entries written, standby restarted ...");
        pair.B.Signal(Signals.Kill);
        pair.B.WaitForExit(TimeSpan.FromSeconds(5));
        RunAll(Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            using var client = new LeanWriter(pair.ControlSocket("A"), "catch-up/");
            for (var i = w; i < entries; i += writers)
            {
                client.Set(i % 5000, i);
            }
        })).ToArray());
        using var a = pair.Control("A");
        var target = a.Status().LastSequence;
        var restartAt = SimulatedCabinet.Now;
        pair.StartAgent("B");
        var connected = pair.A.WaitForLog(e => e.Id == 201, TimeSpan.FromSeconds(30), restartAt);
        using var b = pair.Control("B");
        if (!Poll.Until(() => b.Status().LastSequence >= target, TimeSpan.FromMinutes(2), everyMs: 2))
        {
            Console.WriteLine($"  standby did not catch up: at {b.Status().LastSequence} of {target}; replication and role events:");
            // Replication's own events are in the log only (2xx); the role changes come from the event stream.
            var replication = pair.A.LogEvents.Concat(pair.B.LogEvents).Where(e => e.T >= restartAt && e.Id is >= 200 and < 300).Select(e => (e.T, Text: e.Message));
            var roles = pair.A.Received.Concat(pair.B.Received).Where(e => e.T >= restartAt && e.Event.Kind == NodeEventKind.RoleChanged).Select(e => (e.T, Text: e.Event.Describe()));
            foreach (var (_, text) in replication.Concat(roles).OrderBy(e => e.T))
            {
                Console.WriteLine($"    {text}");
            }
        }

        var done = SimulatedCabinet.Now;
        var fromConnect = PairHarness.Ms(connected?.T ?? restartAt, done) / 1000;
        Console.WriteLine(F($"  caught up {target} changes: {fromConnect:F2} s from the standby's connection, {PairHarness.Ms(restartAt, done) / 1000:F2} s from its restart"));
        return fromConnect;
    }

    private static void RunAll(Thread[] threads)
    {
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }
    }

    private static void WaitConnected(PairHarness pair)
    {
        using var a = pair.Control("A");
        Poll.Until(() => a.Status().Replication?.StandbyConnected == true, TimeSpan.FromSeconds(20));
    }

    /// <summary>Reports the stalls and role changes of the pair since <paramref name="since"/> (0: since it started) and
    /// adds its role changes, other than each node's first (forming the pair), to <paramref name="roleChanges"/>.</summary>
    private static (int RoleChanges, double LateMax) Health(PairHarness pair, int roleChanges, double lateMax, long since = 0)
    {
        // Senders report each new worst wake-up past a third of the timeout: show when they happened, since the
        // status figure is the worst since the agent started (start-up and pair forming included).
        var events = pair.A.Received.Concat(pair.B.Received).Where(e => e.T >= since).ToArray();
        var origin = Math.Min(pair.A.StartedAt, pair.B.StartedAt);
        foreach (var e in events.Where(e => e.Event.Kind == NodeEventKind.Stall).OrderBy(e => e.T))
        {
            var inStorm = Windows.Any(w => e.T >= w.From && e.T <= w.To) ? " (in a storm)" : string.Empty;
            Console.WriteLine(F($"    +{PairHarness.Ms(origin, e.T) / 1000:F2} s{inStorm}: {e.Event.Describe()}"));
        }

        foreach (var node in new[] { "A", "B" })
        {
            using var c = pair.Control(node);
            var d = c.Diagnostics();
            lateMax = Math.Max(lateMax, d.HeartbeatLateMaxMs);
            Console.WriteLine($"    {node}: heartbeat threads allocated {string.Join(", ", d.HeartbeatThreadsAllocatedBytes.Select(kv => $"{kv.Key} {kv.Value}"))}");
            Console.WriteLine(F($"    {node}: longest stop of all threads {d.RuntimePauseMaxMs:F1} ms ({d.RuntimePauseMaxReason}), {d.RuntimePauses} stops; heap {d.GcHeapBytes / 1048576.0:F1} MiB, generations [{string.Join(", ", d.GcGenerationBytes)}] bytes, collector threads at real-time priority: {d.CollectorThreadsRealtime}"));
        }

        var changes = events.Where(e => e.Event.Kind == NodeEventKind.RoleChanged && e.Event.From != "Starting").OrderBy(e => e.T).ToArray();
        foreach (var e in changes)
        {
            Console.WriteLine(F($"    role change at +{PairHarness.Ms(origin, e.T) / 1000:F2} s: {e.Event.Describe()}"));
        }

        if (pair.A.MissedEvents + pair.B.MissedEvents > 0)
        {
            Console.WriteLine($"    events missed by the harness (the agents' rings overflowed): A {pair.A.MissedEvents}, B {pair.B.MissedEvents}");
        }

        return (roleChanges + changes.Length, lateMax);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
