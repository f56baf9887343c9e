using Redundancy.Agent.Status;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Between the role machine and the rest, once per engine round: the peer and the links as the machine judges them
/// go to the <see cref="EngineView"/>, its alarms and link changes to the events, and the receivers' counts of a
/// misconfigured peer's frames to the machine. On the engine thread; allocates nothing but events.
/// </summary>
internal sealed class MachineReports
{
    // What each kind of a misconfigured peer's frames is counted as by the receivers.
    private static readonly (ForeignFrameKind Kind, DropReason CountedAs)[] ForeignKinds =
        [(ForeignFrameKind.BadTag, DropReason.BadTag), (ForeignFrameKind.OtherPair, DropReason.OtherPair), (ForeignFrameKind.OtherVersion, DropReason.UnknownVersion)];

    private readonly RoleStateMachine _machine;
    private readonly HeartbeatLinks _links;
    private readonly EngineView _view;
    private readonly NodeEvents _events;
    private readonly TimeProvider _time;
    private readonly bool[] _linkWasUp;
    private readonly long[] _foreignSeen;

    public MachineReports(RoleStateMachine machine, HeartbeatLinks links, EngineView view, NodeEvents events, TimeProvider time)
    {
        _machine = machine;
        _links = links;
        _view = view;
        _events = events;
        _time = time;
        _linkWasUp = new bool[links.Count];
        _foreignSeen = new long[links.Count * ForeignKinds.Length];
    }

    public void NotePeer()
    {
        var fresh = _machine.PeerFresh;
        var peer = _machine.Peer;
        var seen = _view.Peer;
        if (!fresh)
        {
            seen = null;
        }
        else if (seen is null || seen.Role != peer.Role || seen.Readiness != peer.Readiness)
        {
            seen = PeerSeen.Of(peer.Role, peer.Readiness); // made once each: no garbage here
        }

        _view.NotePeer(seen, peer.NodeId, fresh && peer.Role == Role.Active ? peer.NodeId : (byte)0, peer.LastAppliedSequence, peer.Epoch, new ServiceLevel(peer.ServiceLevel, peer.Mode));
        for (var i = 0; i < _links.Count; i++)
        {
            _view.Link(i, _machine.Links[i].IsUp, _machine.Links[i].FramesPerSecond);
        }
    }

    public void PublishAlarms()
    {
        while (_machine.TryDequeueAlarm(out var alarm))
        {
            if (alarm.Raised)
            {
                _events.Raise(alarm.Kind.ToString(), alarm.Subject, alarm.Text);
            }
            else
            {
                _events.Clear(alarm.Kind.ToString(), alarm.Subject, alarm.Text);
            }
        }
    }

    public void ReportLinkChanges()
    {
        for (var i = 0; i < _links.Count; i++)
        {
            var up = _machine.Links[i].IsUp;
            if (up != _linkWasUp[i])
            {
                _linkWasUp[i] = up;
                if (up)
                {
                    _events.LinkUp(_links[i].Name);
                }
                else
                {
                    _events.LinkDown(_links[i].Name);
                }
            }
        }
    }

    /// <summary>Hands the machine the frames of a misconfigured peer (bad tag, another pair id) counted since last time.</summary>
    public void ReportForeignFrames()
    {
        var now = _time.GetTimestamp();
        for (var i = 0; i < _links.Count; i++)
        {
            var counters = _links[i].Counters;
            var receiver = _links.Receiver(i);
            for (var k = 0; k < ForeignKinds.Length; k++)
            {
                var (kind, countedAs) = ForeignKinds[k];
                var slot = (i * ForeignKinds.Length) + k;
                var total = counters.Dropped(countedAs);
                var detail = kind == ForeignFrameKind.OtherPair ? receiver.LastOtherPairId : receiver.LastOtherVersion;
                _machine.OnForeignFrames(i, kind, total - _foreignSeen[slot], now, detail);
                _foreignSeen[slot] = total;
            }
        }
    }
}
