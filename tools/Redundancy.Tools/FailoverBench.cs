using System.Globalization;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;

namespace Redundancy.Tools;

/// <summary>
/// Failover benchmark: N rounds of kill -9 on the active of a real pair, measured on the cabinet's timeline
/// (kill -> new active driving every output), then a healthy pair under full CPU stress, counting role changes.
/// </summary>
internal static class FailoverBench
{
    public static int Run(string[] args)
    {
        var rounds = Arg(args, "--rounds", 30);
        var interval = Arg(args, "--interval-ms", 10);
        var timeout = Arg(args, "--timeout-ms", 30);
        var stressSeconds = Arg(args, "--stress-s", 60);
        var realtime = !args.Contains("--no-rt");
        var systemIp = args.Contains("--system-ip");
        var spec = new PairSpec
        {
            // The system IP needs namespaces: the pair's heartbeat link is a veth pair then, and the LAN a bridge beside it.
            Netns = systemIp,
            SystemIp = systemIp,
            IntervalMs = interval,
            PeerTimeoutMs = timeout,
            StartupWindowMs = Math.Max(300, timeout * 3),
            Serial = !args.Contains("--udp-only"),
            // The agents raise their heartbeat threads (only those) to SCHED_FIFO 50, as on the Pi.
            RealtimePriority = realtime ? 50 : 0,
        };

        Console.WriteLine($"failover benchmark: {rounds} rounds, heartbeat {interval} ms, peer timeout {timeout} ms, serial (socat pty) + UDP {(systemIp ? "over a veth pair between namespaces" : "loopback")}, heartbeat threads {(realtime ? "SCHED_FIFO 50 (as on the Pi)" : "at normal priority")}");
        using var pair = PairHarness.StartPair(spec);
        using var pinger = systemIp ? new LanPinger(pair.Netns!.NamespaceLan!, pair.Netns.LanBridge, pair.Netns.SystemIp) : null;
        var moves = new List<SystemIpMove>();
        if (pinger is not null)
        {
            Console.WriteLine($"system ip {pair.Netns!.SystemIpCidr}: a client on the LAN pings it every 1 ms; a kill -9 also takes the killed node's LAN link down (the box lost power) until it restarts");
        }

        var overlapsShown = 0;
        var failovers = new List<double>();
        var gaps = new List<double>();
        var random = new Random(42);
        using var pause = new ManualResetEventSlim(false);
        Console.WriteLine();
        Console.WriteLine(" round  killed  failover_ms  detection_ms  takeover_ms  gap_ms");
        for (var round = 1; round <= rounds; round++)
        {
            var active = pair.DrivesAll("A") ? "A" : "B";
            var standby = PairHarness.Other(active);

            // Let the pair settle, and vary the kill's phase against the heartbeat interval.
            pause.Wait(300 + random.Next(interval));
            var killAt = pair.Cabinet.Mark($"kill -9 {active}");
            pair.Agent(active).Signal(Signals.Kill);
            pair.Netns?.SetLan(active, up: !systemIp);
            var took = pair.Agent(standby).WaitForTakeover(TimeSpan.FromSeconds(10), killAt);
            Poll.Until(() => pair.DrivesAll(standby), TimeSpan.FromSeconds(5), everyMs: 1);

            var timeline = pair.Cabinet.Timeline();
            var drivenAt = timeline.FirstFullDrive(standby, spec.Channels.ToArray(), killAt);
            if (took is null || drivenAt is null)
            {
                Console.WriteLine($"round {round}: node {standby} did not take over");
                foreach (var e in pair.A.Received.Concat(pair.B.Received).OrderBy(r => r.T).Select(r => r.Event)
                             .Where(e => e.Kind is NodeEventKind.RoleChanged or NodeEventKind.AlarmRaised).TakeLast(12))
                {
                    Console.WriteLine($"    {(e.IsTakeover() ? e.DescribeTakeover() + "\n    " : string.Empty)}{e.Describe()}");
                }

                Console.WriteLine($"    events followed: A {pair.A.Follower}; B {pair.B.Follower}");

                return 1;
            }

            var spans = timeline.OverlapSpans();
            foreach (var both in spans.Skip(overlapsShown))
            {
                // Both drove (in this round or the last one's restart): show what the cabinet and the nodes saw around it.
                var from = both.Start - (long)(0.1 * System.Diagnostics.Stopwatch.Frequency);
                Console.WriteLine($"    both nodes drove {both.Channel} from {PairHarness.Ms(killAt, both.Start):F1} ms to {(both.End is { } e ? $"{PairHarness.Ms(killAt, e):F1} ms" : "now")} (from this round's kill):");
                Console.Write(timeline.Render(from, e => e.Kind is "mark" or "drive-on" or "drive-off" or "power-off" or "relay-open" or "input"));
                foreach (var r in pair.A.Received.Select(r => ("A", r)).Concat(pair.B.Received.Select(r => ("B", r))).Where(x => x.r.T >= from).OrderBy(x => x.r.T).Take(16))
                {
                    Console.WriteLine($"    {PairHarness.Ms(killAt, r.r.T),8:F1} ms {r.Item1}: {r.r.Event.Describe()}");
                }
            }

            overlapsShown = spans.Count;
            var failover = PairHarness.Ms(killAt, drivenAt.Value);
            var gap = timeline.LongestGap(killAt).TotalMilliseconds;
            failovers.Add(failover);
            gaps.Add(gap);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $" {round,5}  {active,6}  {failover,11:F1}  {took.DetectionMs ?? 0,12:F1}  {took.TakeoverMs ?? 0,11:F2}  {gap,6:F1}"));

            if (pinger is not null)
            {
                var move = SystemIpMove.Measure(pair, pinger, standby, killAt, TimeSpan.FromSeconds(10));
                moves.Add(move);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"        system ip: {move.Lost} pings lost, answered by {standby} {move.MovedMs ?? double.NaN:F1} ms after the kill"));
                pair.Netns!.SetLan(active, up: true);
            }

            var restartAt = SimulatedCabinet.Now;
            pair.StartAgent(active);
            if (pair.Agent(active).WaitForRole("Standby", TimeSpan.FromSeconds(20), restartAt) is null)
            {
                Console.WriteLine($"round {round}: restarted node {active} did not become standby");
                return 1;
            }
        }

        List<SystemIpMove>? switchovers = null;
        if (pinger is not null)
        {
            if (!Poll.Until(() => !pair.Netns!.HoldsSystemIp(pair.DrivesAll("A") ? "B" : "A"), TimeSpan.FromSeconds(10)))
            {
                Console.WriteLine("the restarted node did not remove the system IP its previous life left");
                return 1;
            }

            var killOverlap = pair.Cabinet.Timeline().Overlap().TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overlap after the kill -9 rounds: {killOverlap:F1} ms"));
            switchovers = Switchovers(pair, pinger, rounds);
            if (switchovers is null)
            {
                return 1;
            }
        }

        var overlap = pair.Cabinet.Timeline().Overlap().TotalMilliseconds;
        failovers.Sort();
        gaps.Sort();

        int? falseFailovers = null;
        if (stressSeconds > 0)
        {
            falseFailovers = Stress(pair, stressSeconds);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"failover (kill -> new active drives every output): p50 {Pct(failovers, 50):F1} ms, p99 {Pct(failovers, 99):F1} ms, max {failovers[^1]:F1} ms (target p99 <= {timeout + 5} ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"overlap (both nodes driving): {overlap:F1} ms in total (target 0); gap p99 {Pct(gaps, 99):F1} ms"));
        if (falseFailovers is not null)
        {
            Console.WriteLine($"false failovers during {stressSeconds} s of stress-ng on both cores: {falseFailovers} (target 0)");
        }

        var json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"failover\",\"n\":{rounds},\"heartbeat_ms\":{interval},\"timeout_ms\":{timeout},\"failover_p50_ms\":{Pct(failovers, 50):F1},\"failover_p99_ms\":{Pct(failovers, 99):F1},\"failover_max_ms\":{failovers[^1]:F1},\"overlap_ms\":{overlap:F1},\"gap_p99_ms\":{Pct(gaps, 99):F1}");
        if (falseFailovers is not null)
        {
            json += $",\"false_failovers_under_stress\":{falseFailovers},\"stress_s\":{stressSeconds}";
        }

        if (switchovers is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"system ip, kill -9 (box off): pings lost p50 {Lost(moves, 50)}, max {Lost(moves, 100)}; answered by the new active p99 {Moved(moves, 99):F1} ms after the kill"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"system ip, switchover: pings lost p50 {Lost(switchovers, 50)}, max {Lost(switchovers, 100)}; answered by the new active p99 {Moved(switchovers, 99):F1} ms after the request"));
            json += string.Create(CultureInfo.InvariantCulture,
                $",\"pings_lost_p50\":{Lost(moves, 50)},\"pings_lost_max\":{Lost(moves, 100)},\"ip_moved_p99_ms\":{Moved(moves, 99):F1},\"switchover_pings_lost_p50\":{Lost(switchovers, 50)},\"switchover_pings_lost_max\":{Lost(switchovers, 100)},\"switchover_ip_moved_p99_ms\":{Moved(switchovers, 99):F1}");
        }

        Console.WriteLine(json + "}");
        return 0;
    }

    private static int Lost(List<SystemIpMove> moves, int p) => (int)Pct(moves.Select(m => (double)m.Lost).Order().ToList(), p);

    private static double Moved(List<SystemIpMove> moves, int p) => Pct(moves.Select(m => m.MovedMs ?? double.PositiveInfinity).Order().ToList(), p);

    // Switchovers through the control socket's switchover op, as bench-switchover does, with the client pinging.
    private static List<SystemIpMove>? Switchovers(PairHarness pair, LanPinger pinger, int rounds)
    {
        Console.WriteLine();
        Console.WriteLine(" round  from  pings_lost  ip_moved_ms");
        var moves = new List<SystemIpMove>();
        for (var round = 1; round <= rounds; round++)
        {
            var active = pair.DrivesAll("A") ? "A" : "B";
            var standby = PairHarness.Other(active);
            using var control = pair.Control(active);
            if (!Poll.Until(() => control.Status() is { Role: "Active", Peer.Readiness: "Hot" } s && s.Links.All(l => l.Up), TimeSpan.FromSeconds(20), everyMs: 5))
            {
                var st = control.Status();
                Console.WriteLine($"round {round}: standby {standby} not hot: {active} is {st.Role}, peer {st.Peer?.Readiness}, links {string.Join(", ", st.Links.Select(l => $"{l.Name} {(l.Up ? "up" : "down")}"))}");
                foreach (var line in pair.Agent(standby).Lines.TakeLast(15))
                {
                    Console.WriteLine($"    {line}");
                }
                return null;
            }

            Poll.Hold(TimeSpan.FromMilliseconds(300));
            var at = pair.Cabinet.Mark($"switchover {active} -> {standby}");
            var answer = control.Send<SwitchoverResponse>(new SwitchoverRequest());
            if (!answer.Ok)
            {
                Console.WriteLine($"round {round}: switchover failed: {answer.Error}");
                return null;
            }

            var move = SystemIpMove.Measure(pair, pinger, standby, at, TimeSpan.FromSeconds(10));
            moves.Add(move);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $" {round,5}  {active,4}  {move.Lost,10}  {move.MovedMs ?? double.NaN,11:F1}  overlap so far {pair.Cabinet.Timeline().Overlap().TotalMilliseconds:F1} ms"));
            if (!answer.Ok || move.Lost > 20)
            {
                foreach (var e in pair.A.Received.Concat(pair.B.Received).Where(r => r.T >= at).OrderBy(r => r.T).Take(12))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    +{PairHarness.Ms(at, e.T):F1} ms {e.Event.Describe()}"));
                }
            }
            if (pair.Netns!.HoldsSystemIp(active))
            {
                Console.WriteLine($"round {round}: {active} still holds the system IP after handing over");
                return null;
            }
        }

        return moves;
    }

    private static int Stress(PairHarness pair, int seconds)
    {
        Console.WriteLine();
        Console.WriteLine($"healthy pair under stress: stress-ng --cpu 2 for {seconds} s ...");
        var before = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count;
        var start = SimulatedCabinet.Now;
        using (var stress = new ExternalProcess("stress-ng", ["--cpu", "2", "--timeout", $"{seconds}s", "--quiet"]))
        {
            stress.WaitForExit(TimeSpan.FromSeconds(seconds + 30));
        }

        var changes = pair.A.RoleChanges.Count + pair.B.RoleChanges.Count - before;
        foreach (var e in pair.A.EventsSince(start).Concat(pair.B.EventsSince(start)).Where(e => e.Kind == NodeEventKind.RoleChanged))
        {
            Console.WriteLine($"  role change under stress: {e.Describe()}");
        }

        // What held the threads up: late heartbeat senders, runtime pauses, spins (the worst of each kind as it rose).
        foreach (var e in pair.A.Received.Concat(pair.B.Received).Where(e => e.T >= start && e.Event.Kind == NodeEventKind.Stall).OrderBy(e => e.T))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    +{PairHarness.Ms(start, e.T) / 1000:F2} s: {e.Event.Describe()}"));
        }

        return changes;
    }

    private static double Pct(List<double> sorted, int p) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
