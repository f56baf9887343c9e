using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Redundancy.Core.Outputs;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Configuration;

/// <summary>
/// Parses and validates a node's JSON configuration. Every invalid value is reported with the field's
/// path and the rule it breaks; nothing is half-accepted.
/// </summary>
public static partial class AgentConfig
{
    /// <summary>Default location of the configuration file on a Pi.</summary>
    public const string DefaultPath = "/etc/redundancy/agent.json";

    /// <summary>Shortest heartbeat interval accepted, in ms: faster only burns the Pi's CPU on frames.</summary>
    public const int MinIntervalMs = 5;

    /// <summary>
    /// Shortest peer timeout accepted, in ms: the runtime was measured stopping every thread for 10-30 ms on this
    /// machine kind (collections with another thread allocating), so a shorter timeout would take a pause for a
    /// dead peer. Documented in firmware-config/README.md.
    /// </summary>
    public const int MinPeerTimeoutMs = 20;

    private static readonly int[] Bauds = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

    /// <summary>Parses <paramref name="json"/>; returns the options, or null and the list of errors.</summary>
    public static AgentOptions? Parse(string json, out IReadOnlyList<string> errors)
    {
        AgentConfigFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, AgentConfigJsonContext.Default.AgentConfigFile);
        }
        catch (JsonException ex)
        {
            errors = [$"{ex.Path ?? "$"}: {Simplify(ex.Message)}"];
            return null;
        }

        if (file is null)
        {
            errors = ["$: the configuration must be a JSON object"];
            return null;
        }

        var v = new Validator();
        var options = Build(file, v);
        errors = v.Errors;
        return v.Errors.Count == 0 ? options : null;
    }

    private static AgentOptions? Build(AgentConfigFile f, Validator v)
    {
        var pairId = v.Range("pairId", f.PairId, 1, uint.MaxValue, required: true);
        var nodeId = v.Range("nodeId", f.NodeId, 1, 255, required: true);
        var nodeName = f.NodeName ?? $"node-{nodeId}";
        v.Check("nodeName", NameRule().IsMatch(nodeName), "must be 1-32 letters, digits, '.', '_' or '-'", nodeName);
        var priority = v.Range("priority", f.Priority, 1, 255, fallback: 100);
        var keyFile = v.Text("pairKeyFile", f.PairKeyFile);
        var dataDir = f.DataDirectory ?? "/var/lib/redundancy";
        v.Check("dataDirectory", dataDir.Length > 0, "must not be empty", dataDir);

        var hb = f.Heartbeat ?? new AgentConfigFile.HeartbeatSection();
        var interval = v.Range("heartbeat.intervalMs", hb.IntervalMs, MinIntervalMs, 1000, fallback: 20);
        var timeout = v.Range("heartbeat.peerTimeoutMs", hb.PeerTimeoutMs, 1, 60_000, fallback: 100);
        v.Check("heartbeat.peerTimeoutMs", timeout >= MinPeerTimeoutMs,
            $"must be at least {MinPeerTimeoutMs} ms: runtime pauses of 10-30 ms were measured on this hardware class, and a shorter timeout takes one for a dead peer", timeout);
        v.Check("heartbeat.peerTimeoutMs", timeout >= 3 * interval,
            $"must be at least 3 x heartbeat.intervalMs ({3 * interval} ms) so that one lost frame is not a dead peer", timeout);
        var window = v.Range("heartbeat.startupWindowMs", hb.StartupWindowMs, 0, 600_000, fallback: Math.Max(3000, timeout * 2));
        var realtime = v.Range("heartbeat.realtimePriority", hb.RealtimePriority, 0, 99, fallback: 50);
        v.Check("heartbeat.startupWindowMs", window >= timeout, $"must be at least heartbeat.peerTimeoutMs ({timeout} ms)", window);
        var takeoverHold = v.Range("heartbeat.takeoverHoldMs", hb.TakeoverHoldMs, 0, 50, fallback: 2);
        v.Check("heartbeat.takeoverHoldMs", takeoverHold < timeout, $"must be below heartbeat.peerTimeoutMs ({timeout} ms)", takeoverHold);

        SerialLinkOptions? serial = null;
        if (f.Serial is { } s)
        {
            var device = v.Text("serial.device", s.Device);
            var baud = v.Range("serial.baud", s.Baud, 1, 4_000_000, fallback: 115200);
            v.Check("serial.baud", Bauds.Contains((int)baud), $"must be one of {string.Join(", ", Bauds)}", baud);
            serial = new SerialLinkOptions(device, (int)baud);
        }

        UdpLinkOptions? udp = null;
        if (f.Udp is { } u)
        {
            var bind = v.Endpoint("udp.bind", u.Bind, allowPortZero: false);
            var peer = v.Endpoint("udp.peer", u.Peer, allowPortZero: false);
            v.NotSelf("udp.peer", peer, "udp.bind", bind);
            udp = bind is null || peer is null ? null : new UdpLinkOptions(bind, peer);
        }

        v.Check("serial/udp", f.Serial is not null || f.Udp is not null, "at least one heartbeat link must be configured (both are recommended)", "none");

        var gpio = BuildGpio(f, v);

        var pins = new Dictionary<long, string>();
        var outputs = new List<OutputChannel>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (f.Outputs?.Count ?? 0); i++)
        {
            var o = f.Outputs![i];
            var at = $"outputs[{i}]";
            if (o is null)
            {
                v.Fail(at, "must be an object", "null");
                continue;
            }

            var name = v.Text($"{at}.name", o.Name);
            v.Check($"{at}.name", name.Length == 0 || ChannelRule().IsMatch(name), "must be 1-32 lowercase letters, digits, '_' or '-'", name);
            v.Check($"{at}.name", names.Add(name), "must be unique among outputs", name);
            var pin = v.Pin($"{at}.pin", o.Pin, pins);
            var policy = (o.Takeover ?? "resume") switch
            {
                "resume" => TakeoverPolicy.Resume,
                "safe" => TakeoverPolicy.Safe,
                var other => v.Fail($"{at}.takeover", "must be \"resume\" or \"safe\"", other, TakeoverPolicy.Safe),
            };
            outputs.Add(new OutputChannel(name, (int)pin, o.ActiveLow ?? false, o.SafeValue ?? false, policy));
        }

        WatchdogOptions? watchdog = null;
        if (f.Watchdog is { } w)
        {
            var life = v.Pin("watchdog.lifePin", w.LifePin, pins);
            var hold = v.Range("watchdog.holdTimeMs", w.HoldTimeMs, 1, 60_000, required: true);
            v.Check("watchdog.holdTimeMs", hold >= interval,
                $"must be at least heartbeat.intervalMs ({interval} ms): the life signal toggles every half interval", hold);
            watchdog = new WatchdogOptions((int)life, TimeSpan.FromMilliseconds(hold));
        }

        InterlockOptions? interlock = null;
        if (f.Interlock is { } il)
        {
            var iAm = v.Pin("interlock.iAmActivePin", il.IAmActivePin, pins);
            int? peerPin = il.PeerActivePin is null ? null : (int)v.Pin("interlock.peerActivePin", il.PeerActivePin, pins);
            var through = il.PeerActiveThroughRelay ?? false;
            v.Check("interlock.peerActiveThroughRelay", !through || peerPin is not null,
                "needs interlock.peerActivePin: the standby waits for that input to drop", "true");
            interlock = new InterlockOptions((int)iAm, peerPin, through);
        }

        if (watchdog is not null && !(interlock?.PeerActiveThroughRelay ?? false))
        {
            var holdMs = (long)watchdog.HoldTime.TotalMilliseconds;
            v.Check("heartbeat.peerTimeoutMs", timeout > holdMs + interval,
                $"must exceed watchdog.holdTimeMs + heartbeat.intervalMs ({holdMs} + {interval} ms): the relay is last retriggered up to an interval after the last heartbeat, and must cut a hung active off before the standby drives; or wire the peer-active input through the relay (interlock.peerActiveThroughRelay)",
                timeout);
        }

        CheckPinsFit(gpio, pins, v);

        ReplicationOptions? replication = null;
        if (f.Replication is { } r)
        {
            var bind = v.Endpoint("replication.bind", r.Bind, allowPortZero: false);
            var peer = v.Endpoint("replication.peer", r.Peer, allowPortZero: false);
            v.NotSelf("replication.peer", peer, "replication.bind", bind);
            var modeName = r.Mode ?? "semi-sync";
            v.Check("replication.mode", ReplicationModeNames.TryParse(modeName, out var mode), "must be \"sync\", \"semi-sync\" or \"async\"", modeName);
            var syncTimeout = v.Range("replication.syncTimeoutMs", r.SyncTimeoutMs, 1, 600_000, fallback: 1000);
            var retention = v.Range("replication.retentionEntries", r.RetentionEntries, 100, 100_000_000, fallback: 100_000);
            replication = bind is null || peer is null ? null : new ReplicationOptions(bind, peer, mode, TimeSpan.FromMilliseconds(syncTimeout), (ulong)retention);
        }

        var storage = BuildStorage(f, v);
        var mqtt = BuildMqtt(f, v, pairId, nodeName);
        var witness = BuildWitness(f, v, timeout);

        var systemIp = BuildSystemIp(f, v);

        var controlSocket = f.Control?.Socket ?? "/run/redundancy/control.sock";
        v.Check("control.socket", controlSocket.Length is > 0 and <= 100, "must be a path of 1-100 characters (a Unix socket path)", controlSocket);
        var controlGroup = f.Control?.Group;
        v.Check("control.group", controlGroup is null || GroupRule().IsMatch(controlGroup),
            "must be a group name: 1-32 letters, digits, '_', '.' or '-', starting with a letter or '_' (the group's members may change the node through the control socket)",
            $"\"{controlGroup}\"");

        if (v.Errors.Count > 0)
        {
            return null;
        }

        return new AgentOptions
        {
            PairId = (uint)pairId,
            NodeId = (byte)nodeId,
            NodeName = nodeName,
            Priority = (byte)priority,
            PairKeyFile = keyFile,
            DataDirectory = dataDir,
            HeartbeatInterval = TimeSpan.FromMilliseconds(interval),
            PeerTimeout = TimeSpan.FromMilliseconds(timeout),
            StartupWindow = TimeSpan.FromMilliseconds(window),
            TakeoverHold = TimeSpan.FromMilliseconds(takeoverHold),
            SoloStart = hb.SoloStart ?? false,
            RealtimePriority = (int)realtime,
            Serial = serial,
            Udp = udp,
            Gpio = gpio,
            Outputs = outputs,
            Interlock = interlock,
            Watchdog = watchdog,
            ControlSocket = controlSocket,
            ControlGroup = controlGroup,
            Replication = replication,
            Storage = storage,
            Mqtt = mqtt,
            Witness = witness,
            SystemIp = systemIp,
        };
    }

    private static WitnessOptions? BuildWitness(AgentConfigFile f, Validator v, long peerTimeoutMs)
    {
        if (f.Witness is not { } ws)
        {
            return null;
        }

        var isolation = ws.OnIsolation ?? "keep";
        v.Check("witness.onIsolation", isolation is "keep" or "release", "must be \"keep\" or \"release\"", $"\"{isolation}\"");
        if (ws.TcpTarget is null)
        {
            v.Check("witness.connectTimeoutMs", ws.ConnectTimeoutMs is null, "is for witness.tcpTarget only (a redundancy-witness answers within its lease)", ws.ConnectTimeoutMs);
            var address = v.Endpoint("witness.address", ws.Address, allowPortZero: false);
            var lease = v.Range("witness.leaseMs", ws.LeaseMs, 10, 60_000, fallback: 100);
            return address is null ? null : new WitnessOptions(address, TimeSpan.FromMilliseconds(lease), isolation == "release");
        }

        // The lighter mode: a TCP connection to a target both nodes should reach is a reachability check, not a lease.
        v.Check("witness.tcpTarget", ws.Address is null, "give witness.address (a redundancy-witness) or witness.tcpTarget (a TCP reachability check), not both", $"\"{ws.TcpTarget}\"");
        v.Check("witness.leaseMs", ws.LeaseMs is null, "is for witness.address only: a TCP target grants no lease", ws.LeaseMs);
        var target = v.Endpoint("witness.tcpTarget", ws.TcpTarget, allowPortZero: false);
        var connect = v.Range("witness.connectTimeoutMs", ws.ConnectTimeoutMs, 1, 10_000, fallback: Math.Max(1, Math.Min(20, peerTimeoutMs / 4)));
        v.Check("witness.connectTimeoutMs", connect <= peerTimeoutMs / 4,
            $"must be at most a quarter of heartbeat.peerTimeoutMs ({peerTimeoutMs / 4} ms): an active that reaches neither its peer nor the target must know it by half the peer timeout, before the standby may take over",
            connect);
        return target is null
            ? null
            : new WitnessOptions(target, TimeSpan.FromMilliseconds(2 * connect), isolation == "release")
            {
                TcpTarget = true,
                ConnectTimeout = TimeSpan.FromMilliseconds(connect),
            };
    }

    private static MqttOptions? BuildMqtt(AgentConfigFile f, Validator v, long pairId, string nodeName)
    {
        if (f.Mqtt is not { } m)
        {
            return null;
        }

        var broker = v.Text("mqtt.broker", m.Broker);
        var colon = broker.LastIndexOf(':');
        var host = colon > 0 ? broker[..colon].Trim('[', ']') : string.Empty;
        var portOk = int.TryParse(colon > 0 ? broker[(colon + 1)..] : string.Empty, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;
        v.Check("mqtt.broker", broker.Length == 0 || (host.Length > 0 && !host.Any(char.IsWhiteSpace) && portOk), "must be \"host:port\" (a name or address, and a port 1-65535)", $"\"{broker}\"");
        var clientId = m.ClientId ?? $"redundancy-{pairId}-{nodeName}";
        v.Check("mqtt.clientId", clientId.Length is >= 1 and <= 64 && !clientId.Any(char.IsControl), "must be 1-64 characters", $"\"{clientId}\"");
        var prefix = m.Prefix ?? $"redundancy/{pairId}";
        v.Check("mqtt.prefix", TopicPrefixProblem(prefix) is null, TopicPrefixProblem(prefix) ?? string.Empty, $"\"{prefix}\"");
        v.Check("mqtt.passwordFile", m.PasswordFile is null || m.Username is not null, "needs mqtt.username", m.PasswordFile);
        var interval = v.Range("mqtt.statusIntervalS", m.StatusIntervalS, 1, 3600, fallback: 10);
        var queue = v.Range("mqtt.eventQueue", m.EventQueue, 10, EventQueueMax, fallback: 1000);
        SparkplugOptions? sparkplug = null;
        if (m.Sparkplug is { } sp && (sp.Enabled ?? false))
        {
            var group = sp.Group ?? "Redundancy";
            var edge = sp.EdgeNode ?? $"pair{pairId}-{nodeName}";
            v.Check("mqtt.sparkplug.group", SparkplugIdProblem(group) is null, SparkplugIdProblem(group) ?? string.Empty, $"\"{group}\"");
            v.Check("mqtt.sparkplug.edgeNode", SparkplugIdProblem(edge) is null, SparkplugIdProblem(edge) ?? string.Empty, $"\"{edge}\"");
            v.Check("mqtt.sparkplug.primaryHost", sp.PrimaryHost is null || SparkplugIdProblem(sp.PrimaryHost) is null, SparkplugIdProblem(sp.PrimaryHost ?? "x") ?? string.Empty, $"\"{sp.PrimaryHost}\"");
            sparkplug = new SparkplugOptions(group, edge, sp.PrimaryHost);
        }

        string? homeAssistant = null;
        if (m.HomeAssistant is { } ha && (ha.Enabled ?? false))
        {
            homeAssistant = ha.DiscoveryPrefix ?? "homeassistant";
            v.Check("mqtt.homeAssistant.discoveryPrefix", TopicPrefixProblem(homeAssistant) is null, TopicPrefixProblem(homeAssistant) ?? string.Empty, $"\"{homeAssistant}\"");
        }

        MqttTlsOptions? tls = null;
        if (m.Tls is { } t)
        {
            v.Check("mqtt.tls.keyFile", (t.CertFile is null) == (t.KeyFile is null), "goes with mqtt.tls.certFile: a client certificate needs its key, and a key its certificate", t.KeyFile ?? "nothing");
            tls = new MqttTlsOptions(t.CaFile, t.CertFile, t.KeyFile);
        }

        RemoteCommandOptions? commands = null;
        if (m.Commands is { } rc && (rc.Enabled ?? false))
        {
            var skew = v.Range("mqtt.commands.maxSkewS", rc.MaxSkewS, 1, 300, fallback: 30);
            commands = new RemoteCommandOptions(TimeSpan.FromSeconds(skew));
        }

        return new MqttOptions(host, port, clientId, m.Username, m.PasswordFile, prefix, TimeSpan.FromSeconds(interval), (int)queue, sparkplug, homeAssistant, tls, commands);
    }

    /// <summary>What is wrong with a Sparkplug id (group, edge node, host), or null: 1-64 characters, none of '/', '+',
    /// '#' nor a control character (they are topic levels).</summary>
    public static string? SparkplugIdProblem(string id) =>
        id.Length is 0 or > 64 ? "must be 1-64 characters"
        : id.IndexOfAny(['/', '+', '#']) >= 0 ? "must not contain '/', '+' or '#' (it is one topic level)"
        : id.Any(char.IsControl) ? "must not contain control characters"
        : null;

    /// <summary>Most events kept for an absent broker: the node's event ring holds this many.</summary>
    public const int EventQueueMax = 1024;

    /// <summary>What is wrong with a topic prefix, or null: levels of printable text without MQTT's wildcards, not
    /// starting with '$' (the broker's own topics), no empty level.</summary>
    public static string? TopicPrefixProblem(string prefix) =>
        prefix.Length is 0 or > 128 ? "must be 1-128 characters"
        : prefix.Contains('+') || prefix.Contains('#') ? "must not contain the MQTT wildcards '+' or '#'"
        : prefix.StartsWith('$') ? "must not start with '$' (the broker's own topics)"
        : prefix.Split('/').Any(level => level.Length == 0) ? "must not start or end with '/' nor have an empty level ('//')"
        : prefix.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) ? "must not contain spaces or control characters"
        : null;

    private static string Simplify(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return TypeNameRule().Replace(text, "a value of the right type");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,32}$")]
    private static partial Regex NameRule();

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex ChannelRule();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")]
    private static partial Regex GroupRule();

    [GeneratedRegex(@"System\.[A-Za-z0-9_.`\[\]]+")]
    private static partial Regex TypeNameRule();
}
