using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The amd64 package as tools/package.sh builds it: its metadata and contents, installed with dpkg into a scratch
/// root (maintainer scripts run chrootless against that root), the agent started from it as the package's user with
/// the package's example config, and an upgrade that keeps an edited config, the key and the database.
/// In the pair collection: the publish takes both cores for a minute, which the timing of the pair tests must not share.
/// </summary>
[Collection("pair")]
public sealed class PackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("redundancy-package-").FullName;

    [SkippableFact]
    public void AmdPackage_InstallsIntoAScratchRoot_TheAgentRunsFromIt_AnUpgradeKeepsConfigKeyAndData()
    {
        Skip.If(Environment.UserName != "root", "installing a package into a scratch root (useradd --root, chown) needs root");
        var (built, buildOutput) = ExternalProcess.Run(Path.Combine(Repo, "tools", "package.sh"), "--arch", "amd64", "--out", Path.Combine(_dir, "out"), "--version", "1.0.0");
        Assert.True(built == 0, buildOutput);
        var deb = Path.Combine(_dir, "out", "redundancy_1.0.0_amd64.deb");
        Assert.True(File.Exists(deb), buildOutput);

        var info = Run("dpkg-deb", "-I", deb);
        Assert.Contains("Package: redundancy", info);
        Assert.Contains("Architecture: amd64", info);
        Assert.Contains("Depends: libgpiod3 | libgpiod2", info);
        Assert.Equal("/etc/redundancy/agent.json", Run("dpkg-deb", "-I", deb, "conffiles").Trim());
        var files = Run("dpkg-deb", "-c", deb);
        foreach (var path in new[]
        {
            "./usr/lib/redundancy/redundancy-agent", "./usr/lib/redundancy/redundancyctl", "./usr/bin/redundancyctl -> ../lib/redundancy/redundancyctl",
            "./usr/lib/systemd/system/redundancy-agent.service", "./usr/lib/udev/rules.d/99-redundancy.rules",
            "./usr/share/bash-completion/completions/redundancyctl", "./etc/redundancy/agent.json", "./usr/share/redundancy/examples/node-b.json",
            "./usr/lib/redundancy/redundancy-witness", "./usr/bin/redundancy-witness -> ../lib/redundancy/redundancy-witness",
            "./usr/lib/systemd/system/redundancy-witness.service", "./usr/share/redundancy/examples/witness.json",
        })
        {
            Assert.Contains(path, files, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("pair.key", files, StringComparison.Ordinal); // generated on the box, never shipped
        Assert.DoesNotContain("./var/lib/redundancy/", files, StringComparison.Ordinal);

        // Install into a scratch root: its own dpkg database and user files; the scripts see it as DPKG_ROOT.
        var root = ScratchRoot();
        Dpkg(root, deb);
        var passwd = File.ReadAllLines(Path.Combine(root, "etc", "passwd")).Single(l => l.StartsWith("redundancy:", StringComparison.Ordinal)).Split(':');
        var (uid, gid) = (uint.Parse(passwd[2], System.Globalization.CultureInfo.InvariantCulture), uint.Parse(passwd[3], System.Globalization.CultureInfo.InvariantCulture));
        var group = File.ReadAllLines(Path.Combine(root, "etc", "group"));
        foreach (var g in new[] { "gpio", "dialout", "i2c" })
        {
            Assert.Contains(group, l => l.StartsWith(g + ":", StringComparison.Ordinal) && l.Split(':')[3].Split(',').Contains("redundancy"));
        }

        var key = Path.Combine(root, "etc", "redundancy", "pair.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(64, File.ReadAllText(key).Trim().Length); // 32 random bytes as hex
        var data = Path.Combine(root, "var", "lib", "redundancy");
        Assert.True(Directory.Exists(data));
        Assert.True(File.Exists(Path.Combine(root, "etc", "systemd", "system", "multi-user.target.wants", "redundancy-agent.service")) || new FileInfo(Path.Combine(root, "etc", "systemd", "system", "multi-user.target.wants", "redundancy-agent.service")).LinkTarget is not null);

        // The agent from the package, as the package's user, with the package's example config made to fit this
        // machine (loopback addresses, the simulated cabinet instead of a GPIO chip, no serial cable, solo start).
        var keyHash = Hash(key);
        RunAgentFromPackage(root, uid, gid, key, data);
        CheckWitnessFromPackage(root, uid, gid, key);
        var dataHashes = Directory.GetFiles(data, "*", SearchOption.AllDirectories).ToDictionary(f => f, Hash);
        Assert.NotEmpty(dataHashes);

        // Upgrade: the plant edited its config; the new package ships a changed example.
        var config = Path.Combine(root, "etc", "redundancy", "agent.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"priority\": 100", "\"priority\": 150", StringComparison.Ordinal));
        var edited = File.ReadAllText(config);
        Assert.Contains("\"priority\": 150", edited);
        Dpkg(root, Repack(deb, "1.0.1", changeExample: true));

        Assert.Contains("Version: 1.0.1", Run("dpkg", $"--root={root}", "-s", "redundancy"));
        Assert.Equal(edited, File.ReadAllText(config));
        Assert.True(File.Exists(config + ".dpkg-dist"), "the new example should wait beside the edited config");
        Assert.Equal(keyHash, Hash(key));
        foreach (var (file, hash) in dataHashes)
        {
            Assert.Equal(hash, Hash(file));
        }

        // Removal keeps the data; purge takes the generated key with it.
        Run("dpkg", $"--root={root}", "--force-script-chrootless", "--log=/dev/null", "--purge", "redundancy");
        Assert.False(File.Exists(key));
        Assert.True(Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Repo
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !File.Exists(Path.Combine(d.FullName, "Redundancy.sln")))
            {
                d = d.Parent;
            }

            return d?.FullName ?? throw new DirectoryNotFoundException("the repository (Redundancy.sln) above " + AppContext.BaseDirectory);
        }
    }

    private static string Run(string file, params string[] arguments)
    {
        var (code, output) = ExternalProcess.Run(file, arguments);
        Assert.True(code == 0, $"{file} {string.Join(' ', arguments)}: exit {code}: {output}");
        return output;
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    private static void Dpkg(string root, string deb) =>
        Run("dpkg", $"--root={root}", "--force-script-chrootless", "--force-depends", "--force-confdef", "--force-confold", "--log=/dev/null", "-i", deb);

    private string ScratchRoot()
    {
        var root = Path.Combine(_dir, "root");
        foreach (var d in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "etc" })
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }

        File.WriteAllText(Path.Combine(root, "var/lib/dpkg/status"), string.Empty);
        File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(root, "etc/group"), "root:x:0:\n");
        File.WriteAllText(Path.Combine(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n");
        File.WriteAllText(Path.Combine(root, "etc/gshadow"), "root:*::\n");
        return root;
    }

    /// <summary>The same package at <paramref name="version"/>, its example config changed when asked.</summary>
    private string Repack(string deb, string version, bool changeExample)
    {
        var tree = Path.Combine(_dir, $"repack-{version}");
        Run("dpkg-deb", "-R", deb, tree);
        var control = Path.Combine(tree, "DEBIAN", "control");
        File.WriteAllText(control, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(control), "(?m)^Version: .*$", $"Version: {version}"));
        if (changeExample)
        {
            File.AppendAllText(Path.Combine(tree, "etc", "redundancy", "agent.json"), "\n");
        }

        var repacked = Path.Combine(_dir, $"redundancy_{version}_amd64.deb");
        Run("dpkg-deb", "--build", "--root-owner-group", tree, repacked);
        return repacked;
    }

    /// <summary>The witness is shipped for a third box: its unit is not enabled, and the packaged program, as the
    /// package's user, accepts the packaged example once its key path fits this root.</summary>
    private void CheckWitnessFromPackage(string root, uint uid, uint gid, string key)
    {
        var wants = Path.Combine(root, "etc", "systemd", "system", "multi-user.target.wants", "redundancy-witness.service");
        Assert.False(File.Exists(wants) || new FileInfo(wants).LinkTarget is not null, "the package must not enable the witness on a node");
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "usr", "share", "redundancy", "examples", "witness.json")), null,
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        example["pairs"]![0]!["pairKeyFile"] = key;
        var file = Path.Combine(_dir, "witness.json");
        File.WriteAllText(file, example.ToJsonString());
        var (code, output) = ExternalProcess.Run("setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups",
            Path.Combine(root, "usr/lib/redundancy/redundancy-witness"), "--config", file, "--check-config");
        Assert.True(code == 0, $"the packaged witness refused the packaged example: exit {code}: {output}");
    }

    private void RunAgentFromPackage(string root, uint uid, uint gid, string key, string data)
    {
        var run = Path.Combine(_dir, "run");
        Directory.CreateDirectory(run);
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ED); // 0755: the package's user reaches its files
        Chown(run, uid, gid);
        using var cabinet = new SimulatedCabinet(Path.Combine(_dir, "cabinet.sock"));
        File.SetUnixFileMode(cabinet.SocketPath, (UnixFileMode)0x1B6); // 0666: the simulated GPIO's connection

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "etc", "redundancy", "agent.json")))!.AsObject();
        var udp = PairHarness.FreeUdpPorts(2);
        var tcp = PairHarness.FreeTcpPorts(2);
        config["pairKeyFile"] = key;
        config["dataDirectory"] = data;
        config.Remove("serial");
        config["udp"] = new JsonObject { ["bind"] = $"127.0.0.1:{udp[0]}", ["peer"] = $"127.0.0.1:{udp[1]}" };
        config["replication"]!["bind"] = $"127.0.0.1:{tcp[0]}";
        config["replication"]!["peer"] = $"127.0.0.1:{tcp[1]}";
        config["gpio"] = new JsonObject { ["driver"] = "simulated", ["simulatorSocket"] = cabinet.SocketPath };
        config["heartbeat"]!["soloStart"] = true;
        config["heartbeat"]!["startupWindowMs"] = 500;
        var socket = Path.Combine(run, "control.sock");
        config["control"] = new JsonObject { ["socket"] = socket };
        var file = Path.Combine(_dir, "agent.json");
        File.WriteAllText(file, config.ToJsonString());

        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", Path.Combine(root, "usr/lib/redundancy/redundancy-agent"), "--config", file })
        {
            info.ArgumentList.Add(a);
        }

        using var agent = Process.Start(info)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        agent.OutputDataReceived += (_, e) => { if (e.Data is { } l) { output.Enqueue(l); } };
        agent.ErrorDataReceived += (_, e) => { if (e.Data is { } l) { output.Enqueue(l); } };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        try
        {
            Assert.True(Eventually(() => File.Exists(socket) && Status(socket) == "Active", Wait), "the packaged agent did not become active:\n" + string.Join("\n", output));
            Assert.True(Eventually(() => cabinet.IsDriving("A", "pump1"), Wait), "it drives nothing:\n" + string.Join("\n", output));
        }
        finally
        {
            agent.Kill(); // by PID: the process this test started
            agent.WaitForExit(10_000);
        }
    }

    private static string? Status(string socket)
    {
        try
        {
            using var c = new ControlClient(socket, TimeSpan.FromSeconds(2));
            return c.Status().Role;
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
        {
            return null;
        }
    }

    private static void Chown(string path, uint uid, uint gid) => Run("chown", $"{uid}:{gid}", path);
}
