using Microsoft.Extensions.Logging;
using Redundancy.Agent.Address;
using Redundancy.Agent.Control;
using Redundancy.Agent.Diagnostics;
using Redundancy.Agent.Engine;
using Redundancy.Agent.Replication;
using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Core.Configuration;
using Redundancy.Core.Effects;
using Redundancy.Core.Roles;
using Redundancy.Edges.Links;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Systemd;
using Redundancy.Edges.Security;

namespace Redundancy.Agent.Hosting;

/// <summary>
/// The agent's parts, built once in dependency order: what the engine publishes (its view, transitions, events)
/// first, then the links that read it, replication, the engine, and the readers (status, diagnostics, journal,
/// control socket). Every part gets what it reads as an object, never a lambda into another part.
/// </summary>
internal sealed class AgentGraph
{
    private AgentGraph(AgentEngine engine, ReplicationService? replication, StatusBuilder status, RuntimeDiagnostics diagnostics,
        JournalWriter journal, ControlSocket control, StorageWorker? storage, MqttPublisher? mqtt)
    {
        Mqtt = mqtt;
        Engine = engine;
        Replication = replication;
        Status = status;
        Diagnostics = diagnostics;
        Journal = journal;
        Control = control;
        Storage = storage;
    }

    public AgentEngine Engine { get; }

    public ReplicationService? Replication { get; }

    public StatusBuilder Status { get; }

    public RuntimeDiagnostics Diagnostics { get; }

    public JournalWriter Journal { get; }

    public ControlSocket Control { get; }

    public StorageWorker? Storage { get; }

    /// <summary>Status on MQTT; null when not configured.</summary>
    public MqttPublisher? Mqtt { get; }

    /// <summary>Sparkplug B; null when not configured.</summary>
    public SparkplugPublisher? Sparkplug { get; init; }

    /// <summary>The witness client; null without a witness.</summary>
    public Witness.IWitnessClient? Witness { get; init; }

    /// <summary>The engine as the service manager sees it (ready, status line, progress).</summary>
    public required EngineServiceState ServiceState { get; init; }

    /// <summary>sd_notify (READY, STATUS, WATCHDOG, STOPPING); null when not started by systemd as Type=notify.</summary>
    public SystemdNotifyLoop? Notify { get; init; }

    public static AgentGraph Compose(
        AgentOptions options,
        byte[] key,
        IReadOnlyList<IHeartbeatLink> heartbeatLinks,
        IOutputBank? bank,
        StorageWorker? storage,
        OutputValues values,
        uint boot,
        string? fault,
        ControlAccess access,
        MqttSecrets mqttSecrets,
        ILoggerFactory logging,
        TimeProvider time,
        SystemdNotifyOptions? notify = null)
    {
        var log = logging.CreateLogger("Redundancy.Agent");
        var events = new NodeEvents(new EventStream(options.NodeName, time), time);
        var view = new EngineView(heartbeatLinks.Count, Announcement.Starting(storage?.Store.Epoch ?? 0, HealthFlags.None), time.GetTimestamp());
        var transitions = new RoleTransitions();
        var inbox = new EngineInbox();
        var links = new HeartbeatLinks(options, key, heartbeatLinks, inbox, view, () => storage?.Store.LastSequence ?? 0, time);
        var threads = new RealtimeThreads(options.RealtimePriority, log, options.NodeName);
        var replication = storage is not null && options.Replication is not null
            ? new ReplicationService(options, key, storage, values, view, transitions, events, logging.CreateLogger("Redundancy.Replication"), time)
            : null;
        var engine = new AgentEngine(options, view, inbox, links, threads, bank, storage, values, events, transitions, replication, boot, fault, log, time);
        if (options.SystemIp is { } systemIp)
        {
            var ip = new SystemIp(systemIp, events, time);
            engine.AddSlowEffect(SlowStep.AtStart, new SystemIpStep(ip, SystemIpAction.Remove), first: true);
            engine.AddSlowEffect(SlowStep.BeforeStepDownAnnounced, new SystemIpStep(ip, SystemIpAction.Remove), first: true);
            engine.AddSlowEffect(SlowStep.AfterTakeover, new SystemIpStep(ip, SystemIpAction.Add), first: true);
            engine.AddSlowEffect(SlowStep.AfterHeal, new SystemIpStep(ip, SystemIpAction.Announce), first: true);
            if (ProcessCapabilities.Missing(ProcessCapabilities.NetAdmin, ProcessCapabilities.NetRaw) is { Length: > 0 } missing)
            {
                events.Raise("SystemIp", ip.Subject, $"{ip.Subject}: this agent lacks {missing}: it cannot add, remove or announce the address (docs/system-ip.md)");
            }
        }

        var diagnostics = new RuntimeDiagnostics(options, threads, links, view, events, log, time);
        var status = new StatusBuilder(options, view, links, events, storage, values, diagnostics, time) { Replication = replication };
        var journal = new JournalWriter(events.Stream, options.NodeName, log, time);
        var state = new ControlState(storage, options.NodeName, view, replication is null ? null : replication.WaitReplicated);
        var switchover = new SwitchoverCoordinator(engine, storage, replication, options.NodeId, options.PeerTimeout, options.HeartbeatInterval, time);
        var commands = new OperatorCommands(engine, switchover, time);
        var control = new ControlSocket(options.ControlSocket, state, status, events, access, logging.CreateLogger("Redundancy.Control"), options.NodeName, time, commands);
        var mqtt = options.Mqtt is { } m
            ? new MqttPublisher(m, mqttSecrets, status, events, options.NodeName, options.NodeId, logging.CreateLogger("Redundancy.Mqtt"), time)
            {
                Commands = m.Commands is { } rc
                    ? new RemoteCommands(rc, key, m.Prefix, options.NodeName, commands, events, logging.CreateLogger("Redundancy.Mqtt"), time)
                    : null,
            }
            : null;
        status.Mqtt = mqtt;
        var sparkplug = options.Mqtt is { Sparkplug: not null } sm
            ? new SparkplugPublisher(sm, mqttSecrets, status, events, options.DataDirectory, options.NodeName, logging.CreateLogger("Redundancy.Sparkplug"), time)
            : null;
        // Waiting for the peer counts once the window and the bounded drain of frames after it are over.
        var serviceState = new EngineServiceState(view, options.StartupWindow + options.HeartbeatInterval, time);
        var notifier = notify is null ? null : new SystemdNotifyLoop(notify, serviceState, time, new NotifyJournal(log, options.NodeName, serviceState, time));
        Witness.IWitnessClient? witness = options.Witness switch
        {
            null => null,
            { TcpTarget: true } t => new Witness.TcpTargetClient(t, options.NodeName, () => engine.WantsWitnessLease,
                v => inbox.Post(EngineInput.FromWitness(v)), logging.CreateLogger("Redundancy.Witness"), time),
            { } w => new Witness.WitnessClient(w, key, options.PairId, options.NodeId, options.NodeName, () => engine.WantsWitnessLease,
                v => inbox.Post(EngineInput.FromWitness(v)), logging.CreateLogger("Redundancy.Witness"), time),
        };
        status.Witness = witness;
        return new AgentGraph(engine, replication, status, diagnostics, journal, control, storage, mqtt)
        {
            Sparkplug = sparkplug,
            Witness = witness,
            ServiceState = serviceState,
            Notify = notifier,
        };
    }
}
