using System.Text.RegularExpressions;
using Redundancy.Simulation.Harness;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The systemd unit and its drop-ins in firmware-config/systemd: they run the agent the benchmarks measured (no
/// runtime setting of their own), pass systemd's own verifier, and have what the design needs (notify, watchdog,
/// release after any exit, no capability without a system IP, the hardware watchdog within the BCM2835 limit).
/// </summary>
public sealed partial class UnitFileTests : IDisposable
{
    private static readonly string Root = AgentBinary.RepositoryRoot();
    private static readonly string SystemdDir = Path.Combine(Root, "firmware-config", "systemd");
    private static readonly string UnitPath = Path.Combine(SystemdDir, "redundancy-agent.service");
    private static readonly string SystemIpDropIn = Path.Combine(SystemdDir, "redundancy-agent.service.d", "system-ip.conf");
    private static readonly string WatchdogDropIn = Path.Combine(SystemdDir, "system.conf.d", "redundancy-watchdog.conf");
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"rdy-unit-{Guid.NewGuid():N}"[..21]);

    [Fact]
    public void Unit_SetsNoRuntimeEnvironmentTheBenchmarksDoNotRunUnder()
    {
        var benchmarks = BenchmarkEnvironment();
        foreach (var file in new[] { UnitPath, SystemIpDropIn })
        {
            var differs = EnvironmentNotMeasured(File.ReadAllText(file), benchmarks);
            Assert.True(differs.Count == 0, $"{Path.GetFileName(file)} sets runtime environment the benchmarks do not run under: {string.Join("; ", differs)}");
        }
    }

    [Fact]
    public void EnvironmentCheck_CatchesTheGcLineTheUnitHadBefore()
    {
        // The line that made the replication benchmark fail over during catch-up when run under it.
        var old = "[Service]\nEnvironment=DOTNET_gcServer=0 DOTNET_GCgen0size=0x4000000\nEnvironment=\"COMPlus_TieredCompilation=0\" LANG=C\n";
        var differs = EnvironmentNotMeasured(old, BenchmarkEnvironment());
        Assert.Equal(["DOTNET_gcServer=0", "DOTNET_GCgen0size=0x4000000", "COMPlus_TieredCompilation=0"], differs);
        Assert.Equal(["EnvironmentFile=/etc/default/redundancy (cannot be checked)"],
            EnvironmentNotMeasured("[Service]\nEnvironmentFile=-/etc/default/redundancy\n", BenchmarkEnvironment()));
        Assert.Empty(EnvironmentNotMeasured("[Service]\nEnvironment=DOTNET_NOLOGO=1\n", BenchmarkEnvironment())); // the benchmarks set it
    }

    [Fact]
    public void Unit_HasWhatTheDesignNeeds()
    {
        var unit = Directives(File.ReadAllText(UnitPath));
        Assert.Equal(["notify"], unit["Type"]);
        Assert.Equal(["main"], unit["NotifyAccess"]);
        Assert.Equal(["always"], unit["Restart"]);
        Assert.Equal(["2s"], unit["WatchdogSec"]);
        Assert.Equal(["redundancy"], unit["User"]);
        Assert.Equal(["redundancy"], unit["Group"]);
        Assert.Equal(["gpio dialout i2c"], unit["SupplementaryGroups"]);
        Assert.Equal(["51"], unit["LimitRTPRIO"]); // heartbeat.realtimePriority 50 + 1 for the spin guard and the collector
        Assert.Equal(["strict"], unit["ProtectSystem"]);
        Assert.Equal(["/var/lib/redundancy"], unit["ReadWritePaths"]);
        Assert.Equal([string.Empty], unit["CapabilityBoundingSet"]);
        Assert.EndsWith("--log-format journal", unit["ExecStart"][0], StringComparison.Ordinal);
        Assert.Contains(unit["ExecStopPost"], c => c.EndsWith("--release-outputs", StringComparison.Ordinal) && c.StartsWith(unit["ExecStart"][0].Split(' ')[0], StringComparison.Ordinal));
        foreach (var forbidden in new[] { "PrivateDevices", "RestrictRealtime", "MemoryDenyWriteExecute", "DevicePolicy", "CPUSchedulingPolicy", "Environment", "EnvironmentFile" })
        {
            Assert.False(unit.ContainsKey(forbidden), $"the unit sets {forbidden}");
        }

        var systemIp = Directives(File.ReadAllText(SystemIpDropIn));
        Assert.Equal(["CAP_NET_ADMIN CAP_NET_RAW"], systemIp["CapabilityBoundingSet"]);
        Assert.Equal(["CAP_NET_ADMIN CAP_NET_RAW"], systemIp["AmbientCapabilities"]);
        Assert.Contains("Install ONLY with a system IP", File.ReadAllText(SystemIpDropIn), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void UnitAndDropIn_PassSystemdAnalyzeVerify()
    {
        Skip.If(Which("systemd-analyze") is null, "systemd-analyze is not installed (tools/test.sh installs package systemd)");
        var root = ScratchRoot();
        var (code, output) = Verify(root);
        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify: exit {code}\n{output}");

        // The verifier reads the drop-in: a bad key there is reported (so a clean run above covered it).
        File.AppendAllText(Path.Combine(root, "etc/systemd/system/redundancy-agent.service.d/system-ip.conf"), "NoSuchKey=1\n");
        (_, output) = Verify(root);
        Assert.Contains("system-ip.conf", output, StringComparison.Ordinal);
        Assert.Contains("NoSuchKey", output, StringComparison.Ordinal);

        // ... and the ExecStart binary the unit names (here the stub).
        File.Delete(Path.Combine(root, "usr/lib/redundancy/redundancy-agent"));
        (code, output) = Verify(root);
        Assert.NotEqual(0, code);
        Assert.Contains("/usr/lib/redundancy/redundancy-agent", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void HardwareWatchdogDropIn_KnownToSystemdAndWithinTheBcm2835Limit()
    {
        Skip.If(Which("systemd-analyze") is null, "systemd-analyze is not installed (tools/test.sh installs package systemd)");
        var dropIn = Directives(File.ReadAllText(WatchdogDropIn), "Manager");
        var (code, output) = ExternalProcess.Run("systemd-analyze", "timespan", dropIn["RuntimeWatchdogSec"][0]);
        Assert.Equal(0, code);
        var usec = long.Parse(UsecLine().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(usec, 1_000_000, 15_000_000); // the BCM2835 watchdog's limit is about 15 s

        // Every key is one systemd's own system.conf knows (it lists them all, commented out, with their defaults).
        Skip.IfNot(File.Exists("/etc/systemd/system.conf"), "no /etc/systemd/system.conf to check the keys against");
        var known = File.ReadAllLines("/etc/systemd/system.conf").Select(l => l.TrimStart('#')).Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]).ToHashSet();
        Assert.All(dropIn.Keys, k => Assert.Contains(k, known));

        // systemd reads it from system.conf.d: cat-config shows it in the manager's configuration.
        var root = ScratchRoot();
        (code, output) = ExternalProcess.Run("systemd-analyze", "cat-config", "--no-pager", $"--root={root}", "systemd/system.conf");
        Assert.Equal(0, code);
        Assert.Contains("redundancy-watchdog.conf", output, StringComparison.Ordinal);
        Assert.Contains("RuntimeWatchdogSec=", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    /// <summary>The DOTNET_/COMPlus_ settings in <paramref name="unitText"/> that the benchmarks do not run under
    /// with the same value (and any EnvironmentFile, which cannot be checked).</summary>
    private static List<string> EnvironmentNotMeasured(string unitText, IReadOnlyDictionary<string, string> benchmarks)
    {
        var differs = new List<string>();
        var directives = Directives(unitText);
        foreach (var file in directives.GetValueOrDefault("EnvironmentFile") ?? [])
        {
            differs.Add($"EnvironmentFile={file.TrimStart('-')} (cannot be checked)");
        }

        foreach (var line in directives.GetValueOrDefault("Environment") ?? [])
        {
            foreach (var assignment in Words(line))
            {
                var eq = assignment.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = eq < 0 ? (assignment, string.Empty) : (assignment[..eq], assignment[(eq + 1)..]);
                if (RuntimeVariable().IsMatch(name) && (!benchmarks.TryGetValue(name, out var measured) || measured != value))
                {
                    differs.Add(assignment);
                }
            }
        }

        return differs;
    }

    /// <summary>What the benchmarks run the agent under: DOTNET_/COMPlus_ assignments in tools/bench-*.sh, and those
    /// the tools and the harness that start the agents set in code.</summary>
    private static Dictionary<string, string> BenchmarkEnvironment()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var tools = Path.Combine(Root, "tools");
        var scripts = Directory.EnumerateFiles(tools, "bench-*.sh").ToArray();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            foreach (Match m in ShellAssignment().Matches(File.ReadAllText(script)))
            {
                found[m.Groups[1].Value] = m.Groups[2].Value.Trim('"', '\'');
            }
        }

        var code = Directory.EnumerateFiles(Path.Combine(tools, "Redundancy.Tools"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "src", "Redundancy.Simulation", "Harness"), "*.cs"));
        foreach (var file in code)
        {
            foreach (Match m in CodeAssignment().Matches(File.ReadAllText(file)))
            {
                found[m.Groups[1].Value] = m.Groups[2].Value;
            }
        }

        return found;
    }

    /// <summary>The directives of one section (values in order; an empty assignment kept as "").</summary>
    private static Dictionary<string, List<string>> Directives(string text, string section = "Service")
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var current = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                current = line.Trim('[', ']');
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (current == section && eq > 0)
            {
                var key = line[..eq].Trim();
                if (!result.TryGetValue(key, out var values))
                {
                    result[key] = values = [];
                }

                values.Add(line[(eq + 1)..].Trim());
            }
        }

        return result;
    }

    /// <summary>systemd's word splitting of an Environment= value, with double and single quotes.</summary>
    private static IEnumerable<string> Words(string value)
    {
        var word = new System.Text.StringBuilder();
        char? quote = null;
        foreach (var c in value)
        {
            if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == quote)
            {
                quote = null;
            }
            else if (quote is null && char.IsWhiteSpace(c))
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    /// <summary>A scratch root as a Pi has it after installing: the unit and drop-ins under /etc/systemd, this machine's
    /// system units (the targets the unit names), and a stub where the unit's ExecStart binary goes.</summary>
    private string ScratchRoot()
    {
        var units = new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.FirstOrDefault(d => File.Exists(Path.Combine(d, "multi-user.target")));
        Skip.If(units is null, "this machine has no systemd unit directory with multi-user.target to verify against");
        var root = Path.Combine(_scratch, "root");
        var system = Path.Combine(root, "etc/systemd/system");
        Directory.CreateDirectory(Path.Combine(system, "redundancy-agent.service.d"));
        File.Copy(UnitPath, Path.Combine(system, "redundancy-agent.service"));
        File.Copy(SystemIpDropIn, Path.Combine(system, "redundancy-agent.service.d", "system-ip.conf"));
        Directory.CreateDirectory(Path.Combine(root, "etc/systemd/system.conf.d"));
        File.Copy(WatchdogDropIn, Path.Combine(root, "etc/systemd/system.conf.d", "redundancy-watchdog.conf"));
        if (File.Exists("/etc/systemd/system.conf"))
        {
            File.Copy("/etc/systemd/system.conf", Path.Combine(root, "etc/systemd/system.conf"));
        }

        var target = Path.Combine(root, "usr/lib/systemd/system");
        Directory.CreateDirectory(target);
        foreach (var f in Directory.EnumerateFiles(units!))
        {
            File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        }

        var stub = Path.Combine(root, "usr/lib/redundancy/redundancy-agent");
        Directory.CreateDirectory(Path.GetDirectoryName(stub)!);
        File.WriteAllText(stub, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return root;
    }

    private static (int Code, string Output) Verify(string root) =>
        ExternalProcess.Run("systemd-analyze", "verify", "--man=no", $"--root={root}", "/etc/systemd/system/redundancy-agent.service");

    private static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);

    [GeneratedRegex("^(?:DOTNET|COMPlus)_", RegexOptions.IgnoreCase)]
    private static partial Regex RuntimeVariable();

    [GeneratedRegex(@"\b((?:DOTNET|COMPlus)_[A-Za-z0-9_]+)=(""[^""]*""|'[^']*'|[^\s;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ShellAssignment();

    [GeneratedRegex(@"""((?:DOTNET|COMPlus)_[A-Za-z0-9_]+)""\s*\]?\s*[=,]\s*""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex CodeAssignment();

    [GeneratedRegex(@"μs:\s*([0-9]+)")]
    private static partial Regex UsecLine();
}
