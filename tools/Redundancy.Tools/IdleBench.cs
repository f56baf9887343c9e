using System.Globalization;
using Redundancy.Simulation.Harness;

namespace Redundancy.Tools;

/// <summary>
/// What an idle agent costs: a pair at 100 Hz heartbeats (interval 10 ms), nothing written, sampled from /proc for
/// --seconds (default 60) after --settle-s (default 15: tiered compilation and the first collections are over).
/// Prints, per node, the CPU used (percent of one core) and the resident memory, then one JSON line.
/// </summary>
internal static class IdleBench
{
    public static int Run(string[] args)
    {
        var seconds = Arg(args, "--seconds", 60);
        var settle = Arg(args, "--settle-s", 15);
        var spec = new PairSpec { IntervalMs = 10, PeerTimeoutMs = 30, StartupWindowMs = 300, ReplicationMode = "sync", RealtimePriority = 50 };
        Console.WriteLine($"idle benchmark: a pair at heartbeat 10 ms / timeout 30 ms, sync replication, nothing written; {settle} s to settle, {seconds} s measured");
        using var pair = PairHarness.StartPair(spec);
        Thread.Sleep(TimeSpan.FromSeconds(settle));
        var nodes = new[] { "A", "B" };
        var before = nodes.ToDictionary(n => n, n => CpuTicks(pair.Agent(n).Pid));
        var rss = nodes.ToDictionary(n => n, _ => new List<long>());
        var start = DateTime.UtcNow;
        while (DateTime.UtcNow - start < TimeSpan.FromSeconds(seconds))
        {
            foreach (var n in nodes)
            {
                rss[n].Add(RssKiB(pair.Agent(n).Pid));
            }

            Thread.Sleep(1000);
        }

        var elapsed = (DateTime.UtcNow - start).TotalSeconds;
        var hz = 100.0; // USER_HZ: clock ticks of /proc/<pid>/stat
        var results = nodes.Select(n =>
        {
            var cpu = (CpuTicks(pair.Agent(n).Pid) - before[n]) / hz / elapsed * 100;
            return (Node: n, Role: pair.Agent(n).Role, Cpu: cpu, RssMiB: rss[n].Average() / 1024.0, RssMaxMiB: rss[n].Max() / 1024.0);
        }).ToArray();
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Node} ({r.Role}): CPU {r.Cpu:F1} % of one core, RSS {r.RssMiB:F1} MiB (max {r.RssMaxMiB:F1})"));
        }

        var a = results[0];
        var b = results[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"idle\",\"heartbeat_ms\":10,\"seconds\":{elapsed:F0},\"cpu_pct_{a.Role.ToLowerInvariant()}\":{a.Cpu:F1},\"cpu_pct_{b.Role.ToLowerInvariant()}\":{b.Cpu:F1},\"rss_mib_{a.Role.ToLowerInvariant()}\":{a.RssMiB:F1},\"rss_mib_{b.Role.ToLowerInvariant()}\":{b.RssMiB:F1}}}"));
        return 0;
    }

    private static long CpuTicks(int pid)
    {
        // Fields after the command's closing parenthesis: state is 3rd, utime 14th, stime 15th of the whole line.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
    }

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
