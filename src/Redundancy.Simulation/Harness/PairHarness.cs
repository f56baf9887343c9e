using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Redundancy.Simulation.Cabinet;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// A whole pair on one machine: a temp directory with key and configs, the simulated cabinet, a socat pty
/// pair as the serial crossover, loopback UDP or two network namespaces, and two agent processes. Everything
/// it starts it stops again by PID on dispose.
/// </summary>
public sealed class PairHarness : IDisposable
{
    private readonly Action<string>? _echo;
    private readonly Dictionary<string, AgentProcess> _agents = [];

    private PairHarness(PairSpec spec, Action<string>? echo)
    {
        Spec = spec;
        _echo = echo;
        Directory = Path.Combine(Path.GetTempPath(), $"redundancy-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        System.IO.Directory.CreateDirectory(Directory);
        KeyFile = Path.Combine(Directory, "pair.key");
        File.WriteAllText(KeyFile, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Cabinet = new SimulatedCabinet(Path.Combine(Directory, "cabinet.sock"));
        if (spec.Serial)
        {
            Socat = new SocatPair(Path.Combine(Directory, "ttyA"), Path.Combine(Directory, "ttyB"));
        }

        if (spec.Netns)
        {
            Netns = new NetnsPair();
            if (spec.SystemIp || spec.Witness || spec.WitnessTcpTarget)
            {
                try
                {
                    Netns.AddLan();
                    if (spec.Witness || spec.WitnessTcpTarget)
                    {
                        Netns.AddWitnessHost();
                    }
                }
                catch
                {
                    Netns.Dispose();
                    Cabinet.Dispose();
                    Socat?.Dispose();
                    throw;
                }
            }
        }
        else if (spec.SystemIp)
        {
            throw new ArgumentException("a system IP needs network namespaces (PairSpec.Netns)", nameof(spec));
        }

        if (spec.Mqtt)
        {
            Broker = new MosquittoBroker(Path.Combine(Directory, "mosquitto"));
        }

        if (spec.Witness)
        {
            // In namespaces the witness host is on the LAN; on loopback, a free port of this machine's.
            WitnessAddress = Netns is { } hosts ? $"{hosts.WitnessAddress}:{WitnessPort}" : $"127.0.0.1:{FreeUdpPorts(1)[0]}";
            Witness = new WitnessProcess(Directory, WitnessAddress, KeyFile, spec.WitnessLeaseMs, Netns?.NamespaceWitness, echo);
            try
            {
                Witness.Start();
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        if (spec.WitnessTcpTarget)
        {
            if (Netns is not { } hosts)
            {
                Dispose();
                throw new ArgumentException("a TCP target on the witness host needs network namespaces (PairSpec.Netns)", nameof(spec));
            }

            TcpTarget = new TcpTargetListener(hosts.WitnessAddress, TcpTargetPort, hosts.NamespaceWitness);
        }

        var ports = spec.Netns ? [5405, 5405] : FreeUdpPorts(2);
        var replicationPorts = spec.Netns ? [5406, 5406] : FreeTcpPorts(2);
        var hostA = Netns?.AddressA ?? "127.0.0.1";
        var hostB = Netns?.AddressB ?? "127.0.0.1";
        WriteConfig("A", 1, spec.PriorityA, Socat?.PathA, $"{hostA}:{ports[0]}", $"{hostB}:{ports[1]}", $"{hostA}:{replicationPorts[0]}", $"{hostB}:{replicationPorts[1]}");
        WriteConfig("B", 2, spec.PriorityB, Socat?.PathB, $"{hostB}:{ports[1]}", $"{hostA}:{ports[0]}", $"{hostB}:{replicationPorts[1]}", $"{hostA}:{replicationPorts[0]}");
    }

    /// <summary>The witness's UDP port on its host.</summary>
    public const int WitnessPort = 5407;

    /// <summary>The witness (with <see cref="PairSpec.Witness"/>), running from the start; else null.</summary>
    public WitnessProcess? Witness { get; }

    /// <summary>The TCP target's port on the witness host.</summary>
    public const int TcpTargetPort = 5502;

    /// <summary>The TCP target (with <see cref="PairSpec.WitnessTcpTarget"/>), listening from the start; else null.</summary>
    public TcpTargetListener? TcpTarget { get; }

    /// <summary>Where the witness listens (host:port), with <see cref="PairSpec.Witness"/>; else null.</summary>
    public string? WitnessAddress { get; }

    /// <summary>The pair's MQTT broker (with <see cref="PairSpec.Mqtt"/>), else null.</summary>
    public MosquittoBroker? Broker { get; }

    /// <summary>The topic prefix the agents publish under (the default, <c>redundancy/&lt;pairId&gt;</c>).</summary>
    public string MqttPrefix => "redundancy/7";

    /// <summary>The spec this pair was built from.</summary>
    public PairSpec Spec { get; }

    /// <summary>The pair's temp directory.</summary>
    public string Directory { get; }

    /// <summary>The pair key file.</summary>
    public string KeyFile { get; }

    /// <summary>The cabinet both nodes are wired into.</summary>
    public SimulatedCabinet Cabinet { get; }

    /// <summary>The serial crossover, or null.</summary>
    public SocatPair? Socat { get; }

    /// <summary>The namespaces, or null on loopback.</summary>
    public NetnsPair? Netns { get; }

    /// <summary>Node A (after <see cref="StartAgent"/>).</summary>
    public AgentProcess A => _agents["A"];

    /// <summary>Node B (after <see cref="StartAgent"/>).</summary>
    public AgentProcess B => _agents["B"];

    /// <summary>Sets up the pair without starting agents.</summary>
    public static PairHarness Create(PairSpec spec, Action<string>? echo = null) => new(spec, echo);

    /// <summary>Sets up the pair, starts both agents and waits until one is active and the other standby.</summary>
    public static PairHarness StartPair(PairSpec spec, Action<string>? echo = null, TimeSpan? timeout = null)
    {
        var pair = new PairHarness(spec, echo);
        try
        {
            pair.StartAgent("A");
            pair.StartAgent("B");
            pair.WaitForActiveAndStandby(timeout ?? TimeSpan.FromSeconds(20));
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    /// <summary>The config file of <paramref name="node"/>.</summary>
    public string ConfigPath(string node) => Path.Combine(Directory, $"agent-{node}.json");

    /// <summary>The control socket of <paramref name="node"/>.</summary>
    public string ControlSocket(string node) => Path.Combine(Directory, $"control-{node}.sock");

    /// <summary>A client of <paramref name="node"/>'s control socket.</summary>
    public ControlClient Control(string node) => ControlClient.Connect(ControlSocket(node), TimeSpan.FromSeconds(10));

    /// <summary>The nodes whose agents were started, in order of name.</summary>
    public IReadOnlyList<string> Started => _agents.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The agent called <paramref name="node"/>.</summary>
    public AgentProcess Agent(string node) => _agents[node];

    /// <summary>The other node's name.</summary>
    public static string Other(string node) => node == "A" ? "B" : "A";

    /// <summary>Changes the configuration file of <paramref name="node"/> (before its agent starts).</summary>
    public void EditConfig(string node, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ConfigPath(node)))!.AsObject();
        edit(config);
        File.WriteAllText(ConfigPath(node), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads one value of <paramref name="node"/>'s configuration, by a path of property names.</summary>
    public string ConfigValue(string node, params string[] path)
    {
        System.Text.Json.Nodes.JsonNode? at = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ConfigPath(node)));
        foreach (var name in path)
        {
            at = at?[name];
        }

        return at?.ToString() ?? throw new KeyNotFoundException($"agent-{node}.json has no {string.Join('.', path)}");
    }

    /// <summary>Starts (or restarts) the agent of <paramref name="node"/>, with <paramref name="environment"/> added to
    /// its environment.</summary>
    public AgentProcess StartAgent(string node, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (_agents.Remove(node, out var old))
        {
            old.Dispose();
            if (Socat is { } socat)
            {
                PtyExclusive.Clear(node == "A" ? socat.PathA : socat.PathB);
            }
        }

        var ns = Netns is null ? null : node == "A" ? Netns.NamespaceA : Netns.NamespaceB;
        var agent = new AgentProcess(node, ConfigPath(node), ns, _echo, Spec.Wrapper, Spec.FollowEvents ? ControlSocket(node) : null, environment);

        // kill -9 is the box losing power: its pins go dead at the kill, not when the cabinet's reader thread notices the
        // closed socket (a starved reader stamped it up to 90 ms late, counted as both nodes driving).
        agent.BeforeKill = () => Cabinet.PowerLost(node);
        _agents[node] = agent;
        return agent;
    }

    /// <summary>Waits until one node reports Active and the other Standby; returns the active one's name.</summary>
    public string WaitForActiveAndStandby(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            var (a, b) = (RoleOf("A"), RoleOf("B"));
            if (a == "Active" && b == "Standby")
            {
                return "A";
            }

            if (b == "Active" && a == "Standby")
            {
                return "B";
            }

            if (A.HasExited || B.HasExited)
            {
                break;
            }

            Poll.Hold(TimeSpan.FromMilliseconds(20));
        }

        throw new TimeoutException($"pair did not form: A is {RoleOf("A")}, B is {RoleOf("B")}\nA:\n{string.Join('\n', A.Lines.TakeLast(20))}\nB:\n{string.Join('\n', B.Lines.TakeLast(20))}");
    }

    /// <summary>The role of <paramref name="node"/>: from its followed events, or (not followed) asked through a
    /// short-lived control connection; "Starting" while it does not answer.</summary>
    public string RoleOf(string node)
    {
        var agent = Agent(node);
        if (agent.FollowsEvents)
        {
            return agent.Role;
        }

        try
        {
            using var c = new ControlClient(ControlSocket(node), TimeSpan.FromSeconds(2));
            return c.Status().Role;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ControlRefusedException)
        {
            return "Starting";
        }
    }

    /// <summary>Whether <paramref name="node"/> drives every configured channel right now.</summary>
    public bool DrivesAll(string node) => Spec.Channels.All(c => Cabinet.IsDriving(node, c));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var a in _agents.Values)
        {
            a.Dispose();
        }

        Witness?.Dispose();
        TcpTarget?.Dispose();
        Socat?.Dispose();
        Netns?.Dispose();
        Broker?.Dispose();
        Cabinet.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a process may still hold a file; the temp directory is cleaned by the OS eventually
        }
    }

    private void WriteConfig(string node, int id, int priority, string? tty, string bind, string peer, string replicationBind, string replicationPeer)
    {
        var channels = Spec.Channels.Select((name, i) => new Dictionary<string, object>
        {
            ["name"] = name,
            ["pin"] = 17 + i,
            ["activeLow"] = false,
            ["safeValue"] = false,
            ["takeover"] = i == 1 ? "safe" : "resume",
        }).ToArray();
        var config = new Dictionary<string, object>
        {
            ["pairId"] = 7,
            ["nodeId"] = id,
            ["nodeName"] = node,
            ["priority"] = priority,
            ["pairKeyFile"] = KeyFile,
            ["dataDirectory"] = Path.Combine(Directory, $"data-{node}"),
            ["heartbeat"] = new Dictionary<string, object>
            {
                ["intervalMs"] = Spec.IntervalMs,
                ["peerTimeoutMs"] = Spec.PeerTimeoutMs,
                ["startupWindowMs"] = Spec.StartupWindowMs,
                ["soloStart"] = Spec.SoloStart,
            },
            ["gpio"] = new Dictionary<string, object> { ["driver"] = "simulated", ["simulatorSocket"] = Cabinet.SocketPath },
            ["control"] = new Dictionary<string, object> { ["socket"] = ControlSocket(node) },
            ["outputs"] = channels,
        };
        if (tty is not null)
        {
            config["serial"] = new Dictionary<string, object> { ["device"] = tty, ["baud"] = 115200 };
        }

        if (Spec.Udp)
        {
            config["udp"] = new Dictionary<string, object> { ["bind"] = bind, ["peer"] = peer };
        }

        if (Spec.TakeoverHoldMs is { } takeoverHold)
        {
            ((Dictionary<string, object>)config["heartbeat"])["takeoverHoldMs"] = takeoverHold;
        }

        if (Spec.RealtimePriority is { } rt)
        {
            ((Dictionary<string, object>)config["heartbeat"])["realtimePriority"] = rt;
        }

        if (Spec.ReplicationMode is { } mode)
        {
            config["replication"] = new Dictionary<string, object>
            {
                ["bind"] = replicationBind,
                ["peer"] = replicationPeer,
                ["mode"] = mode,
                ["syncTimeoutMs"] = Spec.SyncTimeoutMs,
                ["retentionEntries"] = Spec.RetentionEntries,
            };
        }

        if (Broker is { } broker)
        {
            config["mqtt"] = new Dictionary<string, object> { ["broker"] = broker.Address, ["statusIntervalS"] = 2 };
        }

        if (Spec.SystemIp && Netns is { } netns)
        {
            config["systemIp"] = new Dictionary<string, object>
            {
                ["address"] = netns.SystemIpCidr,
                ["interface"] = netns.LanInterface(node),
                ["arpCount"] = Spec.ArpCount,
                ["arpIntervalMs"] = Spec.ArpIntervalMs,
            };
        }

        if (WitnessAddress is { } witness)
        {
            config["witness"] = new Dictionary<string, object>
            {
                ["address"] = witness,
                ["leaseMs"] = Spec.WitnessLeaseMs,
                ["onIsolation"] = Spec.WitnessOnIsolation,
            };
        }

        if (Spec.WitnessTcpTarget && Netns is { } targetHost)
        {
            config["witness"] = new Dictionary<string, object>
            {
                ["tcpTarget"] = $"{targetHost.WitnessAddress}:{TcpTargetPort}",
                ["connectTimeoutMs"] = Spec.WitnessConnectTimeoutMs,
                ["onIsolation"] = Spec.WitnessOnIsolation,
            };
        }

        if (Spec.RelayHoldMs is { } hold)
        {
            config["watchdog"] = new Dictionary<string, object> { ["lifePin"] = 24, ["holdTimeMs"] = hold };
        }

        if (Spec.Interlock)
        {
            config["interlock"] = new Dictionary<string, object>
            {
                ["iAmActivePin"] = 22,
                ["peerActivePin"] = 23,
                ["peerActiveThroughRelay"] = Spec.InterlockThroughRelay,
            };
        }

        File.WriteAllText(ConfigPath(node), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary><paramref name="count"/> UDP ports on loopback free at this moment.</summary>
    public static int[] FreeUdpPorts(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToArray();
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        foreach (var s in sockets)
        {
            s.Dispose();
        }

        return ports;
    }

    /// <summary><paramref name="count"/> TCP ports on loopback free at this moment.</summary>
    public static int[] FreeTcpPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToArray();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners)
        {
            l.Stop();
        }

        return ports;
    }

    /// <summary>Milliseconds between two cabinet-clock times.</summary>
    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    /// <summary>Formats milliseconds.</summary>
    public static string F(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);
}
