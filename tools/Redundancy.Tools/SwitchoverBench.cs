using System.Diagnostics;
using System.Globalization;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;

namespace Redundancy.Tools;

/// <summary>
/// Switchover benchmark: N graceful switchovers on a real pair (sync replication) with a writer running throughout,
/// each measured on the cabinet's timeline from the command to the new active driving every output; gap and overlap
/// from the same timeline; lost writes from the writer's log against the final state.
/// </summary>
internal static class SwitchoverBench
{
    private const int Keys = 256;

    public static int Run(string[] args)
    {
        var rounds = Arg(args, "--rounds", 30);
        var interval = Arg(args, "--interval-ms", 10);
        var timeout = Arg(args, "--timeout-ms", 30);
        var spec = new PairSpec
        {
            IntervalMs = interval,
            PeerTimeoutMs = timeout,
            StartupWindowMs = Math.Max(300, timeout * 3),
            ReplicationMode = "sync",
            RealtimePriority = args.Contains("--no-rt") ? 0 : 50,
        };

        Console.WriteLine($"switchover benchmark: {rounds} switchovers, heartbeat {interval} ms, peer timeout {timeout} ms, sync replication, {(args.Contains("--no-writer") ? "no writer" : "a writer throughout")}");
        using var pair = PairHarness.StartPair(spec);
        var writer = new Writer(pair);
        var thread = new Thread(writer.Loop) { IsBackground = true, Name = "writer" };
        var writing = !args.Contains("--no-writer"); // to tell the switchover's own cost from the write in flight's
        if (writing)
        {
            thread.Start();
        }

        var times = new List<double>();
        var gaps = new List<double>();
        Console.WriteLine();
        Console.WriteLine(" round  from  command_to_drive_ms  gap_ms  agent_says");
        using var pause = new ManualResetEventSlim(false);
        for (var round = 1; round <= rounds; round++)
        {
            var active = pair.DrivesAll("A") ? "A" : "B";
            var standby = PairHarness.Other(active);
            if (!WaitRedundant(pair, active, TimeSpan.FromSeconds(20)))
            {
                Console.WriteLine($"round {round}: the pair did not become redundant again (standby {standby} not hot)");
                return Fail(pair, writer);
            }

            pause.Wait(200);
            using var control = pair.Control(active);
            var at = pair.Cabinet.Mark($"switchover {active} -> {standby}");
            var answer = control.Send<SwitchoverResponse>(new SwitchoverRequest());
            if (!answer.Ok)
            {
                Console.WriteLine($"round {round}: switchover refused or failed: {answer.Error}");
                return Fail(pair, writer);
            }

            Poll.Until(() => pair.DrivesAll(standby), TimeSpan.FromSeconds(5), everyMs: 1);
            var timeline = pair.Cabinet.Timeline();
            var drivenAt = timeline.FirstFullDrive(standby, spec.Channels.ToArray(), at);
            if (drivenAt is null)
            {
                Console.WriteLine($"round {round}: node {standby} does not drive every output");
                return Fail(pair, writer);
            }

            var ms = PairHarness.Ms(at, drivenAt.Value);
            var gap = timeline.LongestGap(at).TotalMilliseconds;
            times.Add(ms);
            gaps.Add(gap);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $" {round,5}  {active,4}  {ms,19:F2}  {gap,6:F2}  {answer.Leg?.CommandToDriveMs,6:F2} ms (heard active) {answer.Text?[(answer.Text.IndexOf('(') is var b and >= 0 ? b : 0)..]}"));
        }

        writer.Stop();
        if (writing)
        {
            thread.Join(TimeSpan.FromSeconds(10));
        }

        var active2 = pair.DrivesAll("A") ? "A" : "B";
        var lost = writer.Lost(active2);
        var overlap = pair.Cabinet.Timeline().Overlap().TotalMilliseconds;
        times.Sort();
        gaps.Sort();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"command -> new active drives every output: p50 {Pct(times, 50):F2} ms, p99 {Pct(times, 99):F2} ms, max {times[^1]:F2} ms (target p99 <= 5 ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"overlap (both driving): {overlap:F2} ms (target 0); gap p99 {Pct(gaps, 99):F2} ms"));
        var latencies = writer.Latencies.Order().ToList();
        if (latencies.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sync write latency (what a switchover waits for: the write in flight): p50 {Pct(latencies, 50):F2} ms, p99 {Pct(latencies, 99):F2} ms"));
        }
        Console.WriteLine($"writer: {writer.Acked} writes acknowledged, {writer.Refused} refused during switchovers (retried on the new active), {writer.Unknown} of unknown outcome, {lost} lost (target 0)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"switchover\",\"n\":{rounds},\"p50_ms\":{Pct(times, 50):F2},\"p99_ms\":{Pct(times, 99):F2},\"overlap_ms\":{overlap:F2},\"gap_p99_ms\":{Pct(gaps, 99):F2},\"lost_writes\":{lost},\"refused_writes\":{writer.Refused}}}"));
        return lost == 0 && overlap == 0 ? 0 : 1;
    }

    private static bool WaitRedundant(PairHarness pair, string active, TimeSpan timeout)
    {
        using var c = pair.Control(active);
        return Poll.Until(() => c.Status() is { Role: "Active", Peer.Readiness: "Hot" } s && s.Links.All(l => l.Up), timeout, everyMs: 5);
    }

    private static int Fail(PairHarness pair, Writer writer)
    {
        writer.Stop();
        foreach (var e in pair.A.Received.Concat(pair.B.Received).OrderBy(r => r.T).Select(r => r.Event)
                     .Where(e => e.Kind is NodeEventKind.RoleChanged or NodeEventKind.AlarmRaised or NodeEventKind.Command).TakeLast(16))
        {
            Console.WriteLine($"    {e.Describe()}");
        }

        foreach (var node in new[] { pair.A, pair.B })
        {
            foreach (var line in node.Lines.Where(l => l.Contains("replicat", StringComparison.OrdinalIgnoreCase) || l.Contains("standby", StringComparison.OrdinalIgnoreCase)
                         || l.Contains("snapshot", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).TakeLast(12))
            {
                Console.WriteLine($"    log: {line}");
            }
        }

        return 1;
    }

    private static double Pct(List<double> sorted, int p) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    /// <summary>One sync writer: writes rising values to <see cref="Keys"/> keys on whichever node is active; a write
    /// refused (a switchover in progress, or "not active") goes to the other node. It logs the last value acknowledged
    /// per key: at the end every key must hold at least that (a write of unknown outcome may have landed after it).</summary>
    private sealed class Writer(PairHarness pair)
    {
        private readonly int[] _acked = Enumerable.Repeat(-1, Keys).ToArray();
        private volatile bool _stop;

        public long Acked { get; private set; }

        /// <summary>Each acknowledged write's latency, ms: a switchover waits for the write in flight.</summary>
        public List<double> Latencies { get; } = [];

        public long Refused { get; private set; }

        public long Unknown { get; private set; }

        public void Stop() => _stop = true;

        public void Loop()
        {
            var node = "A";
            LeanWriter? w = null;
            var i = 0;
            while (!_stop)
            {
                try
                {
                    w ??= new LeanWriter(pair.ControlSocket(node), "bench/sw/");
                    var t0 = Stopwatch.GetTimestamp();
                    var answer = w.Write(i % Keys, i);
                    if (answer.Ok)
                    {
                        Latencies.Add(PairHarness.Ms(t0, Stopwatch.GetTimestamp()));
                        _acked[i % Keys] = i;
                        Acked++;
                        i++;
                        continue;
                    }

                    var error = answer.Error ?? string.Empty;
                    if (error.Contains("UNKNOWN", StringComparison.OrdinalIgnoreCase) || error.Contains("did not acknowledge", StringComparison.Ordinal))
                    {
                        Unknown++;
                        i++;
                    }
                    else
                    {
                        Refused++;
                    }

                    w.Dispose();
                    w = null;
                    node = PairHarness.Other(node);
                    Thread.Sleep(1);
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
                {
                    w?.Dispose();
                    w = null;
                    node = PairHarness.Other(node);
                    Thread.Sleep(5);
                }
            }

            w?.Dispose();
        }

        public int Lost(string active)
        {
            using var c = pair.Control(active);
            var held = c.List("bench/sw/").Items?.ToDictionary(x => x.Key, x => x.Value!.Value.GetProperty("i").GetInt32()) ?? [];
            var lost = 0;
            for (var k = 0; k < Keys; k++)
            {
                if (_acked[k] >= 0 && (!held.TryGetValue($"bench/sw/{k}", out var v) || v < _acked[k]))
                {
                    lost++;
                }
            }

            return lost;
        }
    }
}
