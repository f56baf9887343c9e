using Microsoft.Extensions.Logging;
using Redundancy.Agent.Diagnostics;
using Redundancy.Agent.Effects;
using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Core.Configuration;
using Redundancy.Core.Effects;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The engine loop: one real-time thread that takes every input from the <see cref="EngineInbox"/> (frames,
/// commands, local faults, verdicts, effect completions), asks the role state machine, has the
/// <see cref="TransitionPlanner"/> turn a decision into ordered effects and the <see cref="EffectExecutor"/> run them.
/// It publishes what it decided (the announcement, role transitions, events) and never waits on disk, logging, the
/// control socket or anything else slow.
/// </summary>
internal sealed class AgentEngine : IDisposable, IEffectObserver, IEngineCommands
{
    private readonly AgentOptions _options;
    private readonly IOutputBank? _bank;
    private readonly StorageWorker? _storage;
    private readonly OutputValues _values;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly RoleStateMachine _machine;
    private readonly TransitionPlanner _planner;
    private readonly EffectExecutor _executor;
    private readonly SlowLane _slowLane;
    private int _slowEffects;
    private readonly EngineInbox _inbox;
    private readonly RealtimeThreads _threads;
    private readonly ManualResetEventSlim _stopped = new(false);
    private readonly MachineReports _reports;
    private readonly bool[] _mirrored;
    private readonly string _node;
    private readonly Announcer _announcer;
    private readonly SwitchoverSteps _switchover;
    private readonly HealWatch _heal = new();
    private Decision _deciding;
    private EngineCommand? _stopping;
    private long _decidedAt;
    private Decision _held;
    private bool _wantsWitnessLease;
    private string? _startupFault;
    private string? _storageFault;
    private bool _faultedByStorage;
    private int _drivenVersion;
    private long _nextLife;
    private (bool On, uint Version) _savedMaintenance;
    private int _disposed;

    /// <summary>
    /// The engine over <paramref name="links"/>, whose receivers post to <paramref name="inbox"/> and whose senders
    /// announce what this engine publishes in <paramref name="view"/>.
    /// </summary>
    public AgentEngine(
        AgentOptions options,
        EngineView view,
        EngineInbox inbox,
        HeartbeatLinks links,
        RealtimeThreads threads,
        IOutputBank? bank,
        StorageWorker? storage,
        OutputValues values,
        NodeEvents events,
        RoleTransitions transitions,
        IReadinessSource? readiness,
        uint boot,
        string? startupFault,
        ILogger logger,
        TimeProvider time)
    {
        View = view;
        _inbox = inbox;
        Links = links;
        _threads = threads;
        Transitions = transitions;
        _options = options;
        _bank = bank;
        _storage = storage;
        _values = values;
        Events = events;
        _startupFault = startupFault;
        _log = logger;
        _time = time;
        _node = options.NodeName;
        _machine = new RoleStateMachine(
            new RoleOptions(options.NodeId, options.Priority, options.PeerTimeout, options.StartupWindow,
                options.SoloStart, options.InterlockInputWired, links.Names)
            {
                LeaseMargin = options.HeartbeatInterval / 2,
                WitnessLease = options.Witness?.Lease,
                WitnessTcpTarget = options.Witness?.TcpTarget ?? false,
                ReleaseWhenIsolated = options.Witness?.ReleaseWhenIsolated ?? false,
                DrainBound = options.HeartbeatInterval / 2,
                PairId = options.PairId,
            },
            time,
            storage?.Store.Epoch ?? 0);
        if (storage is not null)
        {
            _machine.RestoreMaintenance(storage.Store.Maintenance, storage.Store.MaintenanceVersion);
            _savedMaintenance = (storage.Store.Maintenance, storage.Store.MaintenanceVersion);
        }

        _planner = new TransitionPlanner(options.Outputs, takeoverHold: options.TakeoverHold);
        // A slow effect may hold a step-down's announcement (never its release of the outputs) for one peer timeout.
        _slowLane = new SlowLane(8, (slot, ok, error) => _inbox.Post(EngineInput.Done(slot, ok, error)), options.PeerTimeout, time);
        _executor = new EffectExecutor(bank, storage, _slowLane, this, time);
        _reports = new MachineReports(_machine, links, view, events, time);
        _mirrored = new bool[options.Outputs.Count];
        _announcer = new Announcer(options, _machine, view, links, bank is not null, storage is not null, readiness);
        _switchover = new SwitchoverSteps(_machine, storage, events, options.NodeName, () => _announcer.OwnReadiness(_storageFault is not null), Decide, time);
        View.Publish(Announcement.Starting(_machine.Epoch, _announcer.StaticHealth(storageFaulted: false) | (_machine.PairInMaintenance ? HealthFlags.Maintenance : HealthFlags.None), _machine.MaintenanceVersion));
        View.Progress(time.GetTimestamp());
        WatchStorage(storage);
        Log.Starting(_log, _node, options.PairId, options.NodeId, options.Priority, _machine.Epoch, boot,
            Links.Sent.Instance.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), string.Join(", ", links.Names));
        events.Started($"agent starting: pair {options.PairId}, node {options.NodeId}, epoch {_machine.Epoch}");
    }

    /// <summary>The heartbeat links with their threads.</summary>
    public HeartbeatLinks Links { get; }

    /// <summary>The real-time threads and their spin guard.</summary>
    public RealtimeThreads Threads => _threads;

    /// <summary>What the engine publishes (announcement, progress, the peer, the links).</summary>
    public EngineView View { get; }

    /// <summary>The node's events (role changes, alarms, links, outputs).</summary>
    public NodeEvents Events { get; }

    /// <summary>Role and term changes, for replication and the rest.</summary>
    public RoleTransitions Transitions { get; }

    /// <summary>The switchover's steps on the engine thread; <see cref="SwitchoverSteps.PeerAsks"/> is where a standby's
    /// request for a handover comes out.</summary>
    public SwitchoverSteps Switchover => _switchover;

    /// <summary>Whether the witness client should ask for the lease now (written by the engine thread every round).</summary>
    public bool WantsWitnessLease => Volatile.Read(ref _wantsWitnessLease);

    /// <summary>The current role (for status and tests).</summary>
    public Role Role => View.Role;

    /// <summary>
    /// Adds a slow effect (the system IP, a witness lease) at <paramref name="step"/> of every transition; before
    /// <see cref="Start"/>. It runs on the slow lane and its completion comes back to the engine as an input.
    /// </summary>
    /// <param name="step">Where in a transition it runs.</param>
    /// <param name="handler">What runs.</param>
    /// <param name="first">Before every other slow effect of the step not marked first (the system IP's removal).</param>
    public void AddSlowEffect(SlowStep step, ISlowEffect handler, bool first = false)
    {
        var slot = _slowEffects++;
        _slowLane.Register(slot, handler);
        _planner.Register(new SlowStepRegistration(slot, step, first));
    }

    /// <summary>Starts the engine, receiving and sending threads.</summary>
    public void Start()
    {
        _threads.Prepare();
        // The window, the leases and the sender's progress promise count from now, not from when the host built
        // the engine (the threads start after this, so the machine is still this thread's to touch).
        _machine.Begin();
        View.Progress(_time.GetTimestamp());
        Links.Start(_threads);
        _threads.Start("engine", Run);
    }

    /// <summary>
    /// Posts <paramref name="command"/> to the engine; its reply completes when the engine has decided (refused at
    /// once when the inbox is full). The caller never holds the engine up.
    /// </summary>
    public Task<CommandReply> Send(EngineCommand command)
    {
        if (Volatile.Read(ref _disposed) != 0 || !_inbox.Post(new EngineInput(EngineInputKind.Command, command)))
        {
            command.Complete(false, "the engine is busy or stopped: try again");
        }

        return command.Reply;
    }

    /// <summary>
    /// Graceful stop: the engine releases the outputs and announces Stopping (so the peer takes over at once),
    /// lets a few heartbeats carry that, then ends every thread.
    /// </summary>
    public void Stop(TimeSpan timeout)
    {
        Send(new EngineCommand(EngineCommandKind.Stop, "agent stopping (SIGTERM or Ctrl-C)")).Wait(timeout);
        _stopped.Wait(timeout);
        Links.Kick();

        // Two intervals for the Stopping announcement to go out on every link.
        Task.Delay(_options.HeartbeatInterval * 2, _time).Wait();
        Links.Stop();
        _threads.Join(TimeSpan.FromSeconds(2));
        Events.Stopped("agent stopped");
        Log.Stopped(_log, _node);
    }

    /// <summary>Last resort from a crash handler: release outputs and drop "I am active", from any thread.</summary>
    public void EmergencyRelease()
    {
        try
        {
            _bank?.ReleaseAll();
            _bank?.DropActive();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // nothing more can be done from here; ExecStopPost releases the pins after exit
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Links.Stop();
        _bank?.Dispose();
        Links.Dispose();
        _slowLane.Dispose();
        _inbox.Dispose();
        _threads.Dispose();
        _stopped.Dispose();
    }

    /// <summary>What the engine thread does first (the in-process tests call it, then <see cref="Step"/>).</summary>
    internal void Begin()
    {
        _nextLife = _time.GetTimestamp();

        // Queued before any decision, so the slow lane runs it before a takeover's effects (the system IP: a stale
        // address of a previous life goes first; a node that takes over adds it again after).
        Finish(_executor.Run(_planner.ForStart()));
        if (_startupFault is not null)
        {
            Decide(_machine.OnLocalFault(_startupFault));
        }
    }

    /// <summary>One round of the loop, as the engine thread runs it; true when the engine stopped.</summary>
    internal bool Step()
    {
        try
        {
            return Iterate();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or StorageException)
        {
            Fault($"engine: {ex.Message}");
            return false;
        }
    }

    /// <summary>The shortest sleep of the engine loop before a deadline ahead.</summary>
    internal static readonly TimeSpan MinimumWait = TimeSpan.FromMicroseconds(100);

    /// <summary>The sleep of the engine loop while a deadline is already past (it stays so until something changes).</summary>
    internal static readonly TimeSpan PastDeadlinePoll = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the loop may sleep before its next deadline.</summary>
    internal TimeSpan UntilNextDeadline()
    {
        // A machine deadline already past stays so until something changes (a peer silent beyond its timeout, the
        // start-up window over): it is polled once a millisecond, as the loop always did (at 100 us the engine of a
        // lone active ran 10,000 times a second and the spin guard lowered it). It must not hide a deadline ahead
        // that is sooner, the takeover's hold above all: that one is waited for to the microsecond.
        var wait = _machine.UntilNextDeadline();
        if (wait <= TimeSpan.Zero)
        {
            wait = PastDeadlinePoll;
        }

        if (_executor.Holding)
        {
            var hold = _time.GetElapsedTime(_time.GetTimestamp(), _executor.HoldUntil);
            wait = hold < wait ? hold : wait;
        }

        var half = _options.HeartbeatInterval / 2;
        return wait > half ? half : wait;
    }

    private void Run()
    {
        Begin();
        while (true)
        {
            if (Step())
            {
                _stopped.Set();
                return;
            }

            var wait = UntilNextDeadline();

            // Never spin, even with input pending: a real-time thread that does not block starves the receivers
            // that would deliver that input (on a single core, forever). A deadline ahead is waited for to the
            // microsecond (a whole millisecond made every peer timeout and the takeover's hold up to 1 ms late), never
            // less than MinimumWait.
            AllocationProbe.Sample();
            _inbox.Wake.Wait(wait < MinimumWait ? MinimumWait : wait);
        }
    }

    /// <summary>One round: every input, one evaluation, its effects, the life signal. True when the engine stopped.</summary>
    private bool Iterate()
    {
        while (_inbox.TryTake(out EngineInput input))
        {
            if (Take(input))
            {
                return true;
            }
        }

        while (_inbox.TryTake(out InboundFrame f))
        {
            switch (f.Evidence)
            {
                case FrameEvidence.Fresh:
                    _machine.OnFrame(f.Link, f.Frame, f.ReceivedAt);
                    break;
                case FrameEvidence.Known:
                    _machine.OnFrame(f.Link, f.Frame, f.ReceivedAt, echoed: false);
                    break;
                case FrameEvidence.Unverified:
                    _machine.OnUnverifiedFrame(f.Link, f.Frame, f.ReceivedAt);
                    break;
                default:
                    _machine.OnDuplicateNode(f.Frame);
                    break;
            }
        }

        _reports.ReportForeignFrames();
        var pending = !_inbox.IsEmpty || Links.HasPendingInput;
        for (var i = 0; i < Links.Count; i++)
        {
            _machine.OnHeartbeatSent(Links.Sender(i).LastSentAt);
        }

        var interlock = _bank?.ReadInterlock() ?? InterlockInput.NotWired;
        _machine.LocalApplied = _storage?.Store.LastSequence ?? 0;
        var decision = _machine.Evaluate(pending, interlock);
        Volatile.Write(ref _wantsWitnessLease, _machine.WantsWitnessLease);
        _reports.NotePeer();
        Decide(decision);
        if (_slowEffects > 0)
        {
            AnnounceAfterHeal();
        }

        _switchover.AfterEvaluate();
        NoteMaintenance();
        Finish(_executor.CheckBound(_time.GetTimestamp()));
        _reports.PublishAlarms();

        if (_machine.Role == Role.Active && _bank is not null && _values.Version != _drivenVersion && !_executor.Waiting)
        {
            // The control application changed an output: drive it (the value is already committed).
            _drivenVersion = _values.Version;
            _executor.DriveAll(Mirrored());
        }

        var now = _time.GetTimestamp();
        if (_machine.Role == Role.Active && now >= _nextLife)
        {
            // The life signal is the engine loop's own pulse: it retriggers the watchdog relay only while
            // this loop runs, and only after the stall check above has had its say.
            _bank?.ToggleLife();
            _nextLife = now + (long)(_options.HeartbeatInterval.TotalSeconds / 2 * _time.TimestampFrequency);
        }

        View.Progress(now);
        if (!_executor.Waiting) // a plan waiting for a slow effect announces when it goes on
        {
            _announcer.PublishIfChanged(_storageFault is not null);
        }
        _reports.ReportLinkChanges();
        return FinishStop();
    }

    /// <summary>
    /// The peer is heard again, not active, after it was silent or active too: announce again what the takeover
    /// announced (the loser of a split brain removed its address; clients may still hold its MAC). Kept out of
    /// <see cref="Iterate"/>: grown by this, the loop's body allocated again (a few KB/s on the engine thread, intermittently;
    /// the JIT's inlining budget, it seems), which the heartbeat path must not.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void AnnounceAfterHeal()
    {
        if (!_executor.Waiting && _heal.Note(_machine.Role, _machine.PeerFresh, _machine.Peer.Role))
        {
            Finish(_executor.Run(_planner.ForHeal()));
        }
    }

    /// <summary>Takes one input other than a frame; true when it stopped the engine.</summary>
    private bool Take(in EngineInput input)
    {
        switch (input.Kind)
        {
            case EngineInputKind.Command:
                return Command(input.Command!);
            case EngineInputKind.LocalFault:
                OnLocalFault(input.Source!, input.Text!);
                break;
            case EngineInputKind.FaultCleared:
                OnFaultCleared(input.Text!);
                break;
            case EngineInputKind.Verdict:
                if (input.Flag)
                {
                    Events.Raise(input.Check!, input.Source!, input.Text!);
                }
                else
                {
                    Events.Clear(input.Check!, input.Source!, input.Text!);
                }

                break;
            case EngineInputKind.EffectDone:
                Finish(_executor.OnSlowDone(input.Slot, input.Flag, input.Text));
                break;
            case EngineInputKind.Witness:
                _machine.OnWitness(input.Witness);
                break;
        }

        return false;
    }

    /// <summary>A stop ends the loop once its plan has run to the end (a slow effect may hold it, bounded).</summary>
    private bool FinishStop()
    {
        if (_stopping is null || _executor.Waiting)
        {
            return false;
        }

        _stopping.Complete(true, "stopped: outputs released, Stopping announced");
        return true;
    }

    private bool Command(EngineCommand command)
    {
        switch (command.Kind)
        {
            case EngineCommandKind.Stop:
                Decide(_machine.OnStopRequested(command.Reason));
                View.Progress(_time.GetTimestamp());
                _stopping = command;
                return FinishStop();
            case EngineCommandKind.Maintenance:
                _machine.SetMaintenance(command.On);
                var text = command.On
                    ? $"maintenance on for the pair (setting version {_machine.MaintenanceVersion}): no automatic takeover on either node until it is turned off"
                    : $"maintenance off for the pair (setting version {_machine.MaintenanceVersion}): the ordinary takeover rules hold again";
                _savedMaintenance = (_machine.Maintenance, _machine.MaintenanceVersion);
                SaveMaintenance();
                Events.Command("maintenance", $"{text} ({command.Reason})", command.Uid);
                command.Complete(true, text);
                return false;
            case EngineCommandKind.ReleaseStartup:
                if (_machine.ReleaseStartup(command.Uid) is { } refused)
                {
                    Events.Command("release-startup", $"start-up release refused: {refused}", command.Uid);
                    command.Complete(false, refused);
                    return false;
                }

                const string released = "start-up released: this node starts alone now (its peer has not been heard in this run); the interlock still holds it while the peer drives";
                Events.Command("release-startup", $"{released} ({command.Reason})", command.Uid);
                command.Complete(true, released);
                return false;
            case EngineCommandKind.Switchover:
            case EngineCommandKind.HandOver:
            case EngineCommandKind.SwitchoverAbort:
            case EngineCommandKind.RequestSwitchover:
                _switchover.Command(command);
                return false;
            default:
                command.Complete(false, $"unknown command {command.Kind}");
                return false;
        }
    }

    /// <summary>A setting of the pair's maintenance taken from the peer's frames: kept here too (persisted), as an event.</summary>
    private void NoteMaintenance()
    {
        var now = (_machine.Maintenance, _machine.MaintenanceVersion);
        if (now == _savedMaintenance)
        {
            return;
        }

        _savedMaintenance = now;
        SaveMaintenance();
        Events.Command("maintenance", now.Maintenance
            ? $"maintenance on for the pair, turned on at node {_machine.MaintenanceFrom} (setting version {now.MaintenanceVersion}): no automatic takeover on either node"
            : $"maintenance off for the pair, turned off at node {_machine.MaintenanceFrom} (setting version {now.MaintenanceVersion}): the ordinary takeover rules hold again", -1);
    }

    /// <summary>Persists the pair's maintenance setting on the storage thread (never waits for it here).</summary>
    private void SaveMaintenance()
    {
        if (_storage is null)
        {
            return;
        }

        var (on, version) = _savedMaintenance;
        _storage.Run(store => store.SaveMaintenance(on, version)).ContinueWith(
            t => Events.Storage($"the pair's maintenance setting ({(on ? "on" : "off")}, version {version}) could not be saved here: {t.Exception!.GetBaseException().Message}; it holds until restart"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>A decision of the machine: plan its effects and run them.</summary>
    private void Decide(Decision d)
    {
        if (!d.IsChange)
        {
            return;
        }

        if (_executor.Holding)
        {
            // A newer decision during an unfenced takeover's hold (the peer still heard us and answered with a higher
            // epoch, or the interlock rose): the held takeover finishes its bookkeeping without driving anything.
            _deciding = _held;
            Finish(_executor.FinishHeld(drive: false));
        }

        _deciding = d;
        _decidedAt = _time.GetTimestamp();
        var plan = _planner.For(d, Mirrored(), StateAgreed);
        var result = _executor.Run(plan);
        _held = _executor.Holding ? d : default;
        if (d.Kind == DecisionKind.BecomeActive && result.Failure is null)
        {
            _nextLife = result.DrivenAt;
            _drivenVersion = _values.Version;
        }

        Finish(result);
    }

    private void Finish(ExecutionResult result)
    {
        if (result.Failure is { } failure)
        {
            Fault($"takeover failed: {failure}");
        }
    }

    private void Fault(string error)
    {
        Log.Faulted(_log, _node, error);
        EmergencyRelease();
        Decide(_machine.OnLocalFault(error));
    }

    // IEffectObserver: called by the executor, on this thread, as the plan runs.
    void IEffectObserver.Announce(ulong epoch)
    {
        var d = _deciding;
        _announcer.Publish(_storageFault is not null);
        if (d.Kind == DecisionKind.BecomeStandby)
        {
            _machine.HandoverAnnounced(); // a handover's wait for the peer counts from the frames that say so
        }

        Transitions.Publish(new RoleTransition(d.From, d.To, d.Epoch, d.Reason));
        if (d.Kind == DecisionKind.BecomeActive)
        {
            // Takeover time: from the decision to the last output driven (as before the effects had a planner).
            var drivenAt = _executor.LastDrivenAt > _decidedAt ? _executor.LastDrivenAt : _time.GetTimestamp();
            var takeover = _time.GetElapsedTime(_decidedAt, drivenAt).TotalMilliseconds;
            Events.RoleChanged(d.From.ToString(), d.To.ToString(), d.Epoch, d.Reason, d.DetectionTime?.TotalMilliseconds ?? 0, takeover);
        }
        else
        {
            Events.RoleChanged(d.From.ToString(), d.To.ToString(), d.Epoch, d.Reason);
        }
    }

    void IEffectObserver.Herald(ulong epoch) => _announcer.Publish(_storageFault is not null);

    void IEffectObserver.StateNotAgreed() => Events.Raise("StateNotAgreed", "outputs",
        "took over with a control state not agreed with the pair (a split-brain resync did not finish): every output driven to its safe value, whatever its takeover policy; check the state and write the outputs");

    void IEffectObserver.OutputsFailed(string error) => Events.OutputsFailed(error);

    void IEffectObserver.OutputsReleased() => Events.OutputsReleased(_deciding.Reason);

    void IEffectObserver.SlowEffectFailed(string error) => Events.Raise("EffectFailed", "slow lane", error);

    private ReadOnlySpan<bool> Mirrored()
    {
        for (var i = 0; i < _mirrored.Length; i++)
        {
            _mirrored[i] = _values[i];
        }

        return _mirrored;
    }

    /// <summary>
    /// Whether this node's control state is agreed with the pair's: false while a split brain's resync has not
    /// installed its snapshot (the state may still hold entries the active never wrote).
    /// </summary>
    private bool StateAgreed => _storage is null || !_storage.Store.NeedsSnapshot;

    private void WatchStorage(StorageWorker? storage)
    {
        if (storage is null)
        {
            return;
        }

        // The storage thread and its watchdog report here as inputs; the engine decides on its own thread.
        storage.SubscriberFailed += ex => Log.CommitSubscriberFailed(_log, _node, ex.ToString());
        storage.Failed += error => _inbox.Post(EngineInput.Fault("storage", error));
        storage.Recovered += () => _inbox.Post(EngineInput.Cleared("storage", "the database works again"));
        storage.Note += text => Events.Storage(text);
        storage.SlowCommit += (raised, text) => _inbox.Post(EngineInput.CheckVerdict("StorageSlow", "storage", raised, text));
    }

    /// <summary>A failed database faults the node (an active hands over).</summary>
    private void OnLocalFault(string source, string error)
    {
        _storageFault = error;
        if (_machine.Role is not (Role.Faulted or Role.Stopping))
        {
            _faultedByStorage = true;
            Events.Raise("StorageFault", source, $"{error}; retrying it every {_options.Storage.RetryInterval.TotalSeconds:F0} s");
            Fault($"{source}: {error}");
        }
    }

    /// <summary>A database that works again brings the node back as a standby, with no hand needed.</summary>
    private void OnFaultCleared(string text)
    {
        if (_storage?.Fault is not null)
        {
            return; // failed again meanwhile
        }

        var cause = _storageFault;
        _storageFault = null;
        if (_faultedByStorage && _machine.Role == Role.Faulted)
        {
            _faultedByStorage = false;
            Events.Clear("StorageFault", "storage", $"{text} (was: {cause})");
            Decide(_machine.OnFaultCleared($"storage works again after: {cause}"));
        }
    }
}
