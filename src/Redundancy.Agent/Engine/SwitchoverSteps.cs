using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The switchover's steps that belong to the engine thread: the check that one may start, the pause of the writes, the
/// handover itself (a decision of the role machine, run by the executor like any other), giving it up, and a standby's
/// request for one. What waits (the standby's confirmation of every change, the peer taking over) runs off this thread
/// in <see cref="SwitchoverCoordinator"/>, which sends these steps as commands.
/// </summary>
internal sealed class SwitchoverSteps
{
    /// <summary>Longest the writes stay paused for a switchover whose coordinator never came back (a bound on every
    /// wait): well past the coordinator's own bound on the standby's confirmation.</summary>
    public static readonly TimeSpan PauseBound = TimeSpan.FromSeconds(3);

    private readonly RoleStateMachine _machine;
    private readonly StorageWorker? _storage;
    private readonly NodeEvents _events;
    private readonly string _node;
    private readonly Func<Readiness> _ownReadiness;
    private readonly Action<Decision> _decide;
    private readonly TimeProvider _time;
    private ulong _pausedEpoch;
    private long _pausedAt;
    private ulong _handedOverEpoch;
    private long _peerActiveAt;

    public SwitchoverSteps(RoleStateMachine machine, StorageWorker? storage, NodeEvents events, string node, Func<Readiness> ownReadiness, Action<Decision> decide, TimeProvider time)
    {
        _machine = machine;
        _storage = storage;
        _events = events;
        _node = node;
        _ownReadiness = ownReadiness;
        _decide = decide;
        _time = time;
    }

    /// <summary>The standby peer asks this active node to hand over (uid of its caller, forced): raised on the engine
    /// thread, once per request; the handler must not block (it starts the coordinator on the pool).</summary>
    public event Action<int, bool>? PeerAsks;

    /// <summary>When this node, after its last handover, first heard the peer active in a newer epoch (a timestamp; 0
    /// until then): the coordinator's measure of the switchover, to within one wake of the engine.</summary>
    public long PeerActiveAt => Interlocked.Read(ref _peerActiveAt);

    /// <summary>Takes one switchover command.</summary>
    public void Command(EngineCommand c)
    {
        switch (c.Kind)
        {
            case EngineCommandKind.Switchover:
                Start(c);
                break;
            case EngineCommandKind.HandOver:
                HandOver(c);
                break;
            case EngineCommandKind.SwitchoverAbort:
                var resumed = Resume(c.Epoch);
                _events.Command("switchover", $"switchover given up: {c.Reason}{(resumed ? "; writes resume" : string.Empty)}", c.Uid);
                c.Complete(true, resumed ? "switchover given up; writes resume" : "switchover given up", c.Epoch);
                break;
            case EngineCommandKind.RequestSwitchover:
                var readiness = _ownReadiness();
                if (_machine.RequestProblem(c.Force, readiness) is { } problem)
                {
                    Refuse(c, problem);
                    return;
                }

                _machine.RequestHandover(c.Uid, c.Force, readiness);
                _events.Command("switchover", $"asked active node {_machine.Peer.NodeId} to hand over to this node{Forced(c)}", c.Uid);
                c.Complete(true, $"asked active node {_machine.Peer.NodeId} to hand over", _machine.Peer.Epoch);
                break;
        }
    }

    /// <summary>After each evaluation: forgets a pause that a role change made moot, ends one that outlived its bound,
    /// and raises <see cref="PeerAsks"/> for a new request of the standby.</summary>
    public void AfterEvaluate()
    {
        if (_pausedEpoch != 0)
        {
            if (_machine.Role != Role.Active || _machine.Epoch != _pausedEpoch)
            {
                _pausedEpoch = 0; // stepped down or faulted meanwhile: that transition stopped the writes for good
            }
            else if (_time.GetElapsedTime(_pausedAt) > PauseBound)
            {
                Resume(_pausedEpoch);
                _events.Command("switchover", $"switchover not finished within {PauseBound.TotalSeconds:F0} s: given up, writes resume", -1);
            }
        }

        if (_handedOverEpoch != 0 && _machine.PeerFresh && _machine.Peer.Role == Role.Active && _machine.Peer.Epoch > _handedOverEpoch)
        {
            _handedOverEpoch = 0;
            Interlocked.Exchange(ref _peerActiveAt, _time.GetTimestamp());
        }

        if (_machine.TakeHandoverRequest(out var uid, out var force))
        {
            PeerAsks?.Invoke(uid, force);
        }
    }

    private void Start(EngineCommand c)
    {
        var problem = _pausedEpoch != 0 ? "a switchover is already in progress" : _machine.SwitchoverProblem(c.Force);
        if (problem is not null)
        {
            Refuse(c, problem);
            return;
        }

        var peer = _machine.Peer.NodeId;
        _pausedEpoch = _machine.Epoch;
        _pausedAt = _time.GetTimestamp();
        _events.Command("switchover", $"switchover to node {peer} started{Forced(c)}: writes paused until the standby confirms every change", c.Uid);
        // The coordinator pauses the writes (StorageWorker.PauseWrites, off this thread) and waits for the standby.
        c.Complete(true, $"switchover in progress: node {_node} is handing over to node {peer}; retry on node {peer} in a moment", _pausedEpoch);
    }

    private void HandOver(EngineCommand c)
    {
        var problem = _pausedEpoch == 0 || c.Epoch != _pausedEpoch || _machine.Epoch != c.Epoch
            ? $"this node is no longer active in epoch {c.Epoch} (it is {_machine.Role}, epoch {_machine.Epoch})"
            : _machine.SwitchoverProblem(c.Force);
        if (problem is not null)
        {
            Resume(c.Epoch);
            Refuse(c, problem);
            return;
        }

        _pausedEpoch = 0;
        var peer = _machine.Peer.NodeId;
        var caller = Core.Commands.Callers.AskedBy(c.Uid);
        _decide(_machine.HandOver(c.Uid, c.Force, $"switchover: handing over to node {peer}{Forced(c)}, {caller}"));
        _peerActiveAt = 0;
        _handedOverEpoch = c.Epoch;
        c.Complete(true, $"handed over to node {peer}", c.Epoch, _time.GetTimestamp());
    }

    /// <summary>Writes resume when this node is still active in <paramref name="epoch"/> (the storage thread checks it
    /// again, in order with any step-down).</summary>
    private bool Resume(ulong epoch)
    {
        if (_pausedEpoch == 0 || _pausedEpoch != epoch)
        {
            return false;
        }

        _pausedEpoch = 0;
        if (_machine.Role == Role.Active && _machine.Epoch == epoch)
        {
            _storage?.ResumeWrites(epoch);
            return true;
        }

        return false;
    }

    private void Refuse(EngineCommand c, string problem)
    {
        _events.Command("switchover", $"switchover refused: {problem}", c.Uid);
        c.Complete(false, problem, _machine.Epoch);
    }

    private static string Forced(EngineCommand c) => c.Force ? " (forced)" : string.Empty;
}
