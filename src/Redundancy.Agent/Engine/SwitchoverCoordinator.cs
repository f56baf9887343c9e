using Redundancy.Agent.Replication;
using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>What a switchover did, for the caller and the drill.</summary>
/// <param name="Ok">Whether the pair switched over.</param>
/// <param name="Text">What happened, or why not, in plain words.</param>
/// <param name="HandedOver">True when this node handed over; false when it took over (asked from the standby).</param>
/// <param name="ActiveNode">The node id active at the end (0: none known).</param>
/// <param name="Epoch">The epoch of the node active at the end.</param>
/// <param name="Resumed">The handover was not confirmed and this node resumed as active.</param>
/// <param name="LagEntries">Changes the standby had not acknowledged when the command came.</param>
/// <param name="ConfirmMs">From the command to the standby's confirmation of every change (writes paused meanwhile).</param>
/// <param name="CommandToDriveMs">From the command to the new active driving: on the node that handed over, until it
/// heard the peer active (the peer drives before it says so: an upper bound); on the node that took over, until its
/// own outputs were driven.</param>
/// <param name="GapMs">Outputs driven by nobody: on the node that handed over, from its release until it heard the peer
/// active (an upper bound); on the node that took over, its detection and takeover time plus half the link's round trip
/// (an estimate of the frame's way).</param>
/// <param name="ByHandover">The new active took over from the handover frame (not by another rule): then no output
/// was driven by both.</param>
internal sealed record SwitchoverOutcome(bool Ok, string Text, bool HandedOver = false, byte ActiveNode = 0, ulong Epoch = 0, bool Resumed = false,
    long LagEntries = 0, double ConfirmMs = 0, double CommandToDriveMs = 0, double GapMs = 0, bool ByHandover = false)
{
    /// <summary>The leg as the control protocol reports it; <paramref name="self"/> and <paramref name="peer"/> are the
    /// two node ids.</summary>
    public Protocol.Control.SwitchoverLeg Leg(byte self, byte peer) => new(
        HandedOver ? self : peer,
        Ok ? (HandedOver ? ActiveNode : self) : 0,
        Epoch,
        Math.Round(CommandToDriveMs, 3),
        Math.Round(GapMs, 3),
        Ok && ByHandover ? 0 : null,
        LagEntries,
        Math.Round(ConfirmMs, 3));
}

/// <summary>
/// Runs a graceful switchover around the engine's steps (<see cref="SwitchoverSteps"/>), waiting off the engine thread.
/// On the active: check and pause the writes, wait until the standby has acknowledged every change (bounded; a forced
/// switchover goes on without it), hand over, and wait to hear the peer active. On the standby: ask the active to hand
/// over, and wait to be active. Every wait is bounded; nothing here holds the engine.
/// </summary>
internal sealed class SwitchoverCoordinator
{
    /// <summary>Longest the writes stay paused waiting for the standby's confirmation of every change.</summary>
    public static readonly TimeSpan ConfirmBound = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(2);
    private readonly IEngineCommands _engine;
    private readonly SwitchoverSteps _steps;
    private readonly EngineView _view;
    private readonly StorageWorker? _storage;
    private readonly ReplicationService? _replication;
    private readonly NodeEvents _events;
    private readonly HeartbeatLinks _links;
    private readonly TimeSpan _handoverTimeout;
    private readonly TimeSpan _handoverShown;
    private readonly TimeProvider _time;
    private int _running;

    public SwitchoverCoordinator(AgentEngine engine, StorageWorker? storage, ReplicationService? replication, byte nodeId, TimeSpan peerTimeout, TimeSpan interval, TimeProvider time)
    {
        // By the silence rule the peer takes over no sooner than a peer timeout after the last frame it heard of this
        // node, sent at most one interval before the handover: a takeover seen sooner was the handover's.
        _handoverShown = peerTimeout - interval;
        NodeId = nodeId;
        _engine = engine;
        _steps = engine.Switchover;
        _view = engine.View;
        _links = engine.Links;
        _events = engine.Events;
        _storage = storage;
        _replication = replication;
        _handoverTimeout = peerTimeout * 2;
        _time = time;

        // The standby asks for a handover (the other leg of a drill, a switchover run on the standby): run it here as if
        // commanded here, on the pool, never on the engine thread that raised it.
        _steps.PeerAsks += (uid, force) => _ = Task.Run(() => RunAsync(uid, force, TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    /// <summary>This node's id.</summary>
    public byte NodeId { get; }

    /// <summary>The peer's node id as last heard (0 before).</summary>
    public byte PeerId => _view.PeerNodeId;

    /// <summary>Why the pair is not redundant now (a drill's precondition), or null: one node active, the other a hot
    /// standby, every link up, not in maintenance.</summary>
    public string? NotRedundant()
    {
        var a = _view.Announcement;
        var peer = _view.Peer;
        if ((a.Health & HealthFlags.Maintenance) != 0)
        {
            return "the pair is in maintenance";
        }

        if (peer is null)
        {
            return "the peer is not heard";
        }

        var standby = a.Role == Role.Active ? peer : a.Role == Role.Standby && peer.Role == Role.Active ? new PeerSeen(a.Role, a.Readiness) : null;
        if (standby is null || (a.Role == Role.Active && peer.Role != Role.Standby))
        {
            return $"this node is {a.Role} and the peer {peer.Role}: one must be active and the other standby";
        }

        if (standby.Readiness != Readiness.Hot)
        {
            return $"the standby is {standby.Readiness.ToString().ToLowerInvariant()}, not hot";
        }

        for (var i = 0; i < _links.Count; i++)
        {
            if (!_view.LinkUp(i))
            {
                return $"the {_links.Names[i]} link is down";
            }
        }

        return null;
    }

    /// <summary>
    /// A drill: switches over and back, each leg measured, the result kept as an event. Refused unless the pair is
    /// redundant; between the legs it waits (bounded) for the pair to be redundant again (the old active catching up as
    /// the new standby).
    /// </summary>
    public async Task<(bool Ok, string Text, IReadOnlyList<SwitchoverOutcome> Legs)> DrillAsync(int uid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (NotRedundant() is { } why)
        {
            _events.Command("drill", $"drill refused: the pair is not redundant ({why})", uid);
            return (false, $"drill refused: the pair is not redundant ({why})", []);
        }

        var legs = new List<SwitchoverOutcome>();
        var there = await RunAsync(uid, false, timeout, cancellationToken).ConfigureAwait(false);
        legs.Add(there);
        if (!there.Ok)
        {
            return Report(uid, false, $"drill failed on the way there: {there.Text}", legs);
        }

        var until = _time.GetTimestamp() + Ticks(timeout);
        string? notYet;
        while ((notYet = NotRedundant()) is not null && _time.GetTimestamp() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken).ConfigureAwait(false);
        }

        if (notYet is not null)
        {
            return Report(uid, false, $"drill stopped after the way there: the pair was not redundant again within {timeout.TotalSeconds:F1} s ({notYet}); it stays switched over", legs);
        }

        var back = await RunAsync(uid, false, timeout, cancellationToken).ConfigureAwait(false);
        legs.Add(back);
        return back.Ok
            ? Report(uid, true, "drill passed: switched over and back", legs)
            : Report(uid, false, $"drill failed on the way back: {back.Text}", legs);
    }

    private (bool, string, IReadOnlyList<SwitchoverOutcome>) Report(int uid, bool ok, string text, List<SwitchoverOutcome> legs)
    {
        var parts = legs.Select((l, i) =>
        {
            var leg = l.Leg(NodeId, PeerId);
            var overlap = leg.OverlapMs is { } o ? $"{o:F1} ms" : "not shown";
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"leg {i + 1} node {leg.From} -> node {leg.To}: command to drive {leg.CommandToDriveMs:F1} ms, gap {leg.GapMs:F1} ms, overlap {overlap}, lag {leg.LagEntries} entries");
        });
        _events.Command("drill", $"{text}: {string.Join("; ", parts)}", uid);
        return (ok, text, legs);
    }

    /// <summary>Switches the pair over, from whichever node this is: the active hands over, a standby asks for it.</summary>
    public async Task<SwitchoverOutcome> RunAsync(int uid, bool force, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return new(false, "a switchover is already in progress on this node");
        }

        try
        {
            return _view.Role switch
            {
                Role.Active => await HandOverAsync(uid, force, timeout, cancellationToken).ConfigureAwait(false),
                Role.Standby => await AskAsync(uid, force, timeout, cancellationToken).ConfigureAwait(false),
                var role => Refused(uid, $"this node is {role}: a switchover is run on the active node, or on a hot standby to take over"),
            };
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task<SwitchoverOutcome> HandOverAsync(int uid, bool force, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var lag = (long)(_replication?.Lag.Entries ?? 0);
        var start = await Send(new EngineCommand(EngineCommandKind.Switchover, "switchover", uid) { Force = force }, cancellationToken).ConfigureAwait(false);
        if (!start.Accepted)
        {
            return new(false, start.Text);
        }

        var epoch = start.Epoch;
        var last = _storage?.PauseWrites(start.Text) ?? 0; // the engine's text is what writers are told
        var pausedMs = Ms(started);
        var confirmed = await ConfirmEveryChange(last, cancellationToken).ConfigureAwait(false);
        var confirmMs = Ms(started);
        if (confirmed is { } problem)
        {
            if (!force)
            {
                await Send(new EngineCommand(EngineCommandKind.SwitchoverAbort, problem, uid) { Epoch = epoch }, cancellationToken).ConfigureAwait(false);
                return new(false, $"switchover refused: {problem}; writes resume on this node", LagEntries: lag, ConfirmMs: confirmMs);
            }
        }

        var handed = await Send(new EngineCommand(EngineCommandKind.HandOver, "switchover", uid) { Force = force, Epoch = epoch }, cancellationToken).ConfigureAwait(false);
        if (!handed.Accepted)
        {
            return new(false, $"switchover refused: {handed.Text}", LagEntries: lag, ConfirmMs: confirmMs);
        }

        // The peer takes over at the first handover frame, or by the silence rule when it hears none; this node resumes
        // after the handover timeout when neither happened. Wait a little past that for the decision.
        var until = _time.GetTimestamp() + Ticks(Min(timeout, _handoverTimeout * 3 + TimeSpan.FromMilliseconds(200)));
        while (_time.GetTimestamp() < until)
        {
            var peerActiveAt = _steps.PeerActiveAt;
            if (peerActiveAt != 0)
            {
                var text = $"switched over: node {_view.ActivePeer} is active (epoch {_view.PeerEpoch}){(confirmed is null ? string.Empty : $"; forced without the standby's confirmation ({confirmed})")}"
                    + string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (after the command: writes paused at {pausedMs:F2} ms, the standby confirmed every change at {confirmMs:F2} ms, handed over at {_time.GetElapsedTime(started, handed.At).TotalMilliseconds:F2} ms)");
                var gap = _time.GetElapsedTime(handed.At, peerActiveAt);
                return new(true, text, true, _view.ActivePeer, _view.PeerEpoch, false, lag, confirmMs,
                    _time.GetElapsedTime(started, peerActiveAt).TotalMilliseconds, gap.TotalMilliseconds, gap < _handoverShown);
            }

            // Resuming is a new term, so a new epoch: the view may still say Active in the old one while the step-down's
            // plan waits for a slow effect (the system IP goes before the Standby announcement), which is no resume.
            if (_view.Role == Role.Active && _view.Announcement.Epoch != epoch)
            {
                return new(false, $"switchover failed: the peer did not take over within {_handoverTimeout.TotalMilliseconds:F0} ms; this node resumed as active (epoch {_view.Announcement.Epoch})",
                    true, 0, _view.Announcement.Epoch, true, lag, confirmMs);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
        }

        return new(false, $"switchover: this node handed over but did not hear the peer active within {timeout.TotalSeconds:F1} s; check `redundancyctl status` on both nodes", true, LagEntries: lag, ConfirmMs: confirmMs);
    }

    private async Task<SwitchoverOutcome> AskAsync(int uid, bool force, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var asked = await Send(new EngineCommand(EngineCommandKind.RequestSwitchover, "switchover", uid) { Force = force }, cancellationToken).ConfigureAwait(false);
        if (!asked.Accepted)
        {
            return new(false, asked.Text);
        }

        var until = _time.GetTimestamp() + Ticks(Min(timeout, RoleStateMachine.RequestTimeout + TimeSpan.FromSeconds(1)));
        while (_time.GetTimestamp() < until)
        {
            var a = _view.Announcement;
            if (a.Role == Role.Active && a.Epoch > asked.Epoch)
            {
                var took = _events.LastTakeover;
                var takeover = took is null ? 0 : took.DetectionMs + took.TakeoverMs;
                var way = HalfRoundTripMs();
                return new(true, $"switched over: this node is active (epoch {a.Epoch})", false, 0, a.Epoch, false, 0, 0,
                    Ms(started), takeover + way, took?.Reason.StartsWith("switchover:", StringComparison.Ordinal) == true);
            }

            if (a.Role is not (Role.Standby or Role.Active))
            {
                return new(false, $"switchover failed: this node became {a.Role}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
        }

        return new(false, $"switchover failed: the active did not hand over within {Min(timeout, RoleStateMachine.RequestTimeout).TotalSeconds:F1} s (see its events: it may have refused)");
    }

    /// <summary>Null when the standby has acknowledged every change numbered before the pause (<paramref name="last"/>),
    /// else why not. It does not wait for this node's own commit of the writes in flight: they go on committing, and
    /// their writers are told the outcome as usual (the standby acknowledged them).</summary>
    private async Task<string?> ConfirmEveryChange(ulong last, CancellationToken cancellationToken)
    {
        if (_replication is null || last == 0)
        {
            return null; // nothing is replicated, or nothing was ever written: the standby has nothing to miss
        }

        return await _replication.WaitAcknowledged(last, ConfirmBound, cancellationToken).ConfigureAwait(false)
            ? null
            : $"the standby did not confirm every change up to {last} within {ConfirmBound.TotalMilliseconds:F0} ms";
    }

    private async Task<CommandReply> Send(EngineCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await _engine.Send(command).WaitAsync(CommandBound, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new CommandReply(false, $"the engine did not answer within {CommandBound.TotalSeconds:F0} s");
        }
    }

    private SwitchoverOutcome Refused(int uid, string text)
    {
        _events.Command("switchover", $"switchover refused: {text}", uid);
        return new(false, text);
    }

    private double HalfRoundTripMs()
    {
        var best = long.MaxValue;
        for (var i = 0; i < _links.Count; i++)
        {
            var rtt = _links.Receiver(i).RoundTripTicks;
            if (rtt >= 0 && rtt < best)
            {
                best = rtt;
            }
        }

        return best == long.MaxValue ? 0 : best * 500.0 / _time.TimestampFrequency;
    }

    private double Ms(long since) => _time.GetElapsedTime(since).TotalMilliseconds;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
