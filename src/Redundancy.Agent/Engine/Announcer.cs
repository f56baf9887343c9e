using Redundancy.Core.Configuration;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>
/// What this node says about itself in its heartbeats: the machine's role and epoch, the readiness (from
/// replication), and the health bits (the machine's links and maintenance, what is wired, what failed). Publishes a
/// new announcement to the <see cref="EngineView"/> when any of it changes, and kicks the senders on a role change.
/// On the engine thread; announcements are cached, so a readiness that flaps under writes allocates nothing.
/// </summary>
internal sealed class Announcer
{
    private readonly RoleStateMachine _machine;
    private readonly EngineView _view;
    private readonly HeartbeatLinks _links;
    private readonly IReadinessSource? _readiness;
    private readonly bool _hasStorage;
    private readonly HealthFlags _wired;
    private readonly AnnouncementCache _announcements = new();

    public Announcer(AgentOptions options, RoleStateMachine machine, EngineView view, HeartbeatLinks links, bool hasOutputs, bool hasStorage, IReadinessSource? readiness)
    {
        _machine = machine;
        _view = view;
        _links = links;
        _readiness = readiness;
        _hasStorage = hasStorage;
        _wired = (options.InterlockInputWired ? HealthFlags.InterlockWired : HealthFlags.None)
            | (options.Watchdog is not null ? HealthFlags.WatchdogWired : HealthFlags.None)
            | (hasOutputs ? HealthFlags.None : HealthFlags.OutputsFault);
    }

    /// <summary>Publishes when role, epoch, readiness or health differ from what is announced.</summary>
    public void PublishIfChanged(bool storageFaulted)
    {
        // The same announcement the cache would give is the same object: one lookup decides, nothing is made twice.
        if (!ReferenceEquals(Next(storageFaulted), _view.Announcement))
        {
            Publish(storageFaulted);
        }
    }

    /// <summary>Publishes the machine's role and epoch now (the Announce effect).</summary>
    public void Publish(bool storageFaulted)
    {
        var old = _view.Announcement;
        var next = Next(storageFaulted);
        _view.Publish(next);
        if (old.Role != next.Role || old.Health != next.Health)
        {
            _links.Kick(); // a role change, maintenance or a handover goes out at once on every link
        }
    }

    private Announcement Next(bool storageFaulted)
    {
        var readiness = Readiness(storageFaulted);
        return _announcements.For(_machine.Role, _machine.Epoch, readiness, Health(storageFaulted), Level(readiness), _machine.MaintenanceVersion, _machine.HandoverUid);
    }

    /// <summary>The bits that do not come from the machine: what is wired, and what failed.</summary>
    public HealthFlags StaticHealth(bool storageFaulted) =>
        _wired | (!_hasStorage || storageFaulted ? HealthFlags.StorageFault : HealthFlags.None);

    private HealthFlags Health(bool storageFaulted) => _machine.LinkHealth | StaticHealth(storageFaulted);

    /// <summary>The service level (one rule: <see cref="ServiceLevel.Of"/>), from the machine's view of the peer.</summary>
    private ServiceLevel Level(Readiness readiness)
    {
        var peerFresh = _machine.PeerFresh;
        var peer = _machine.Peer;
        var down = 0;
        var links = _machine.Links;
        for (var i = 0; i < links.Count; i++) // not foreach: the list's enumerator is an allocation, on a real-time thread
        {
            if (!links[i].IsUp)
            {
                down++;
            }
        }

        return ServiceLevel.Of(_machine.Role, readiness, peerFresh ? peer.Role : null, peerFresh ? peer.Readiness : Core.Roles.Readiness.NotReady, _machine.PairInMaintenance, down);
    }

    /// <summary>This node's readiness as a standby, as it announces it.</summary>
    public Readiness OwnReadiness(bool storageFaulted) => Readiness(storageFaulted);

    private Readiness Readiness(bool storageFaulted) =>
        !_hasStorage || storageFaulted ? Core.Roles.Readiness.NotReady : _readiness?.Readiness ?? Core.Roles.Readiness.Hot;
}
