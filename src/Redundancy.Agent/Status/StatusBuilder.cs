using System.Reflection;
using Redundancy.Agent.Diagnostics;
using Redundancy.Agent.Engine;
using Redundancy.Agent.State;
using Redundancy.Core.Configuration;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Status;

/// <summary>
/// Builds the node's status from what the engine published (its announcement, the peer it hears), the links'
/// counters, storage, the output values and the alarm board, on the caller's thread; never waits on the engine.
/// Parts of the node add their section through a source (replication today).
/// </summary>
internal sealed class StatusBuilder : INodeStatusSource
{
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();
    private static readonly string AgentVersion =
        typeof(StatusBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly AgentOptions _options;
    private readonly EngineView _view;
    private readonly HeartbeatLinks _links;
    private readonly NodeEvents _events;
    private readonly StorageWorker? _storage;
    private readonly OutputValues _values;
    private readonly RuntimeDiagnostics _diagnostics;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private readonly long _started;

    public StatusBuilder(AgentOptions options, EngineView view, HeartbeatLinks links, NodeEvents events, StorageWorker? storage, OutputValues values,
        RuntimeDiagnostics diagnostics, TimeProvider time)
    {
        _options = options;
        _view = view;
        _links = links;
        _events = events;
        _storage = storage;
        _values = values;
        _diagnostics = diagnostics;
        _time = time;
        _startedAt = time.GetUtcNow();
        _started = time.GetTimestamp();
    }

    /// <summary>Replication's section; null when the node replicates nothing.</summary>
    public IReplicationStatusSource? Replication { get; set; }

    /// <summary>The MQTT connection's section; null when MQTT is not configured.</summary>
    public MqttPublisher? Mqtt { get; set; }

    /// <summary>The witness's section; null when no witness is configured.</summary>
    public Witness.IWitnessClient? Witness { get; set; }

    public NodeStatus Status()
    {
        var a = _view.Announcement;
        var peer = _view.Peer;
        var maintenance = (a.Health & HealthFlags.Maintenance) != 0;
        var level = a.Level; // what the heartbeats announce: one rule, ServiceLevel.Of, computed by the engine
        var driving = a.Role == Role.Active;
        var links = new LinkStatus[_links.Count];
        for (var i = 0; i < links.Length; i++)
        {
            var link = _links[i];
            var c = link.Counters;
            var receiver = _links.Receiver(i);
            var (up, fps) = (_view.LinkUp(i), _view.LinkRate(i));
            var dropped = new Dictionary<string, long>();
            foreach (var r in Reasons.Skip(1))
            {
                dropped[r.ToString()] = c.Dropped(r);
            }

            links[i] = new LinkStatus(link.Name, up, Math.Round(fps, 1), c.FramesIn, c.FramesOut,
                receiver.RoundTripTicks < 0 ? null : receiver.RoundTripTicks * 1000.0 / _time.TimestampFrequency, receiver.Floods, dropped);
        }

        return new NodeStatus
        {
            Node = _options.NodeName,
            NodeId = _options.NodeId,
            PairId = _options.PairId,
            Version = AgentVersion,
            StartedAt = _startedAt,
            UptimeSeconds = Math.Round(_time.GetElapsedTime(_started).TotalSeconds, 1),
            Role = a.Role.ToString(),
            Epoch = a.Epoch,
            Readiness = a.Readiness.ToString(),
            ServiceLevel = level.Level,
            Mode = level.ModeName,
            Maintenance = maintenance,
            LastSequence = _storage?.Store.LastSequence ?? 0,
            StorageCommits = _storage?.Commits ?? 0,
            StorageEntries = _storage?.Entries ?? 0,
            RoleChanges = _events.RoleChanges,
            LastEventSequence = _events.Stream.Last,
            Peer = peer is null ? null : new PeerStatus(_view.PeerNodeId, peer.Role.ToString(), peer.Readiness.ToString(), _view.PeerLastApplied,
                _view.PeerEpoch, _view.PeerLevel.Level, _view.PeerLevel.ModeName),
            Links = links,
            Replication = Replication?.Status(),
            Outputs = _options.Outputs.Select((o, i) => new OutputStatus(o.Name, _values[i], driving)).ToArray(),
            Alarms = _events.ActiveAlarms,
            LastTakeover = _events.LastTakeover,
            Mqtt = Mqtt?.Report(),
            Witness = Witness?.Status(),
        };
    }

    public NodeDiagnostics Diagnostics() => _diagnostics.Snapshot();
}
