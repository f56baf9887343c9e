using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Redundancy.Agent.State;
using Redundancy.Core.Configuration;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Core.Supervision;

namespace Redundancy.Agent.Replication;

/// <summary>
/// Streams the change log from the active to the standby over an authenticated TCP connection, and keeps the
/// books: acknowledgements, lag, sync/semi-sync/async, compaction, readiness. Runs on the thread pool and the
/// storage thread, beside the heartbeat path and never on it.
/// </summary>
internal sealed partial class ReplicationService : IAsyncDisposable, Status.IReplicationStatusSource, Engine.IReadinessSource
{
    private const int BatchBytes = 512 * 1024;

    /// <summary>Most entries in one message. With <see cref="BatchBytes"/> this bounds what a standby holds received
    /// and not yet applied: every such entry is a young object that each collection must copy, and the pause of
    /// one collection grows with them (55-94 ms seen with whole 512 KiB messages queued during a catch-up).</summary>
    private const int MessageEntries = 4096;

    /// <summary>Replication connections served at once (the standby, its reconnect and a stray one).</summary>
    private const int MaxSessions = 4;

    /// <summary>Replication handshakes in progress at once.</summary>
    private const int MaxHandshakes = 2;

    /// <summary>Longest a replication handshake (connect, challenge-response, resume) may take, on either side.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Keepalive timing of every session, both sides (same build on both nodes).</summary>
    private static readonly KeepaliveOptions Keepalive = new();
    private readonly AgentOptions _options;
    private readonly ReplicationOptions _settings;
    private readonly byte[] _key;
    private readonly StorageWorker _storage;
    private readonly OutputValues _values;
    private readonly Engine.RoleTransitions _transitions;
    private CancellationTokenSource? _following;
    private readonly Engine.EngineView _view;
    private readonly Status.NodeEvents _events;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly WriteWaiters _waiters;
    private readonly Lock _ledgerGate = new();
    private readonly StandbyConnection _connection = new(); // outlives terms: see StandbyConnection
    private ReplicationLedger? _ledger;
    private Channel<IReadOnlyList<ChangeEntry>>? _live;
    private TcpListener? _listener;
    private volatile bool _clientConnected;
    private volatile bool _snapshotInProgress;
    private volatile bool _streamSilent;
    private long _refused;
    private TaskCompletionSource? _ackSignal;
    private ulong _endedAcked; // what the standby acknowledged in the last term that ended here (under _ledgerGate)
    private long _caughtUpAt = long.MinValue / 2;
    private int _disposed;

    public ReplicationService(
        AgentOptions options,
        byte[] key,
        StorageWorker storage,
        OutputValues values,
        Engine.EngineView view,
        Engine.RoleTransitions transitions,
        Status.NodeEvents events,
        ILogger log,
        TimeProvider time)
    {
        _options = options;
        _settings = options.Replication ?? throw new ArgumentException("replication is not configured", nameof(options));
        _key = key;
        _storage = storage;
        _values = values;
        _transitions = transitions;
        _view = view;
        _events = events;
        _log = log;
        _time = time;
        _waiters = new WriteWaiters(time, _settings.SyncTimeout * 2 + TimeSpan.FromSeconds(1));
        _storage.Sequenced += OnSequenced;
    }

    /// <summary>This node's readiness as a standby: hot while it keeps up with the active (it reached the active's
    /// announced position within the last three peer timeouts), even when a write is always on its way.</summary>
    public Readiness Readiness
    {
        get
        {
            if (_view.Role == Role.Active)
            {
                return Readiness.Hot;
            }

            var last = _storage.Store.LastSequence;
            var activeLast = _view.PeerLastApplied;
            var now = _time.GetTimestamp();
            if (last >= activeLast)
            {
                Interlocked.Exchange(ref _caughtUpAt, now);
            }

            var recently = _time.GetElapsedTime(Interlocked.Read(ref _caughtUpAt), now) <= _options.PeerTimeout * 3;
            return StandbyReadiness.Compute(_clientConnected, _snapshotInProgress, last, activeLast, _storage.Store.NeedsSnapshot, _streamSilent, recently);
        }
    }

    /// <summary>Messages refused (forged, replayed, foreign) since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Lag of the standby behind this active: entries and time; zeros when not active.</summary>
    public (ulong Entries, TimeSpan Time, bool Connected, bool FallenBack) Lag
    {
        get
        {
            lock (_ledgerGate)
            {
                return _ledger is null ? (0, TimeSpan.Zero, false, false) : (_ledger.LagEntries, _ledger.LagTime, _ledger.StandbyConnected, _ledger.IsFallenBack);
            }
        }
    }

    /// <summary>Replication's section of the node's status.</summary>
    public Protocol.Status.ReplicationStatus Status()
    {
        var lag = Lag;
        return new Protocol.Status.ReplicationStatus(_settings.Mode.ToConfigName(), lag.Connected, (long)lag.Entries, lag.Time.TotalMilliseconds, lag.FallenBack, Refused);
    }

    public void Start()
    {
        _listener = new TcpListener(_settings.Bind);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();

        // No loop of the replication service ends from one exception: each is restarted, with an alarm in the log.
        _ = Guarded("accept", AcceptLoop);
        _ = Guarded("follow", ClientLoop);
        _ = Guarded("tick", TickLoop);
        _ = Guarded("term", TermLoop);
    }

    private Task Guarded(string loop, Func<Task> body) => GuardedLoop.RunAsync(
        _ => body(),
        (ex, delay) => Redundancy.Agent.Log.LoopFailed(_log, _options.NodeName, $"replication {loop}", ex.ToString(), delay.TotalMilliseconds),
        TimeSpan.FromSeconds(1),
        _time,
        _stop.Token);

    /// <summary>Completes when <paramref name="sequence"/> is replicated as the mode requires.</summary>
    /// <exception cref="ControlStateException">Sync mode and the standby did not acknowledge in time.</exception>
    public Task WaitReplicated(ulong sequence)
    {
        var task = _waiters.Add(sequence);
        JudgeWaiters();
        return task;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        _waiters.FailAll(new WriteOutcomeUnknownException("outcome UNKNOWN: the agent is stopping; the change is committed on this node and may not have reached the standby: read the key on the active to learn it"));
        _stop.Dispose();
    }
}
