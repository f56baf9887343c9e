using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Redundancy.Agent.State;
using Redundancy.Core.Configuration;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Edges.Replication;

namespace Redundancy.Agent.Replication;

/// <summary>
/// Streams the change log from the active to the standby over an authenticated TCP connection, and keeps the
/// books: acknowledgements, lag, sync/semi-sync/async, compaction, readiness. Runs on the thread pool and the
/// storage thread, beside the heartbeat path and never on it.
/// </summary>
internal sealed partial class ReplicationService : IAsyncDisposable
{
    private const int BatchBytes = 512 * 1024;
    private readonly AgentOptions _options;
    private readonly ReplicationOptions _settings;
    private readonly byte[] _key;
    private readonly StorageWorker _storage;
    private readonly OutputValues _values;
    private readonly Func<Role> _role;
    private readonly Func<byte> _activePeer;
    private readonly Func<ulong> _peerLastApplied;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly WriteWaiters _waiters = new();
    private readonly Lock _ledgerGate = new();
    private ReplicationLedger? _ledger;
    private Channel<IReadOnlyList<ChangeEntry>>? _live;
    private TcpListener? _listener;
    private volatile bool _clientConnected;
    private volatile bool _snapshotInProgress;
    private long _refused;
    private int _disposed;

    public ReplicationService(
        AgentOptions options,
        byte[] key,
        StorageWorker storage,
        OutputValues values,
        Func<Role> role,
        Func<byte> activePeer,
        Func<ulong> peerLastApplied,
        ILogger log,
        TimeProvider time)
    {
        _options = options;
        _settings = options.Replication ?? throw new ArgumentException("replication is not configured", nameof(options));
        _key = key;
        _storage = storage;
        _values = values;
        _role = role;
        _activePeer = activePeer;
        _peerLastApplied = peerLastApplied;
        _log = log;
        _time = time;
        _storage.Committed += OnCommitted;
    }

    /// <summary>This node's readiness as a standby.</summary>
    public Readiness Readiness =>
        _role() == Role.Active ? Readiness.Hot
        : StandbyReadiness.Compute(_clientConnected, _snapshotInProgress, _storage.Store.LastSequence, _peerLastApplied());

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

    public void Start()
    {
        _listener = new TcpListener(_settings.Bind);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptLoop();
        _ = ClientLoop();
        _ = TickLoop();
    }

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
        _waiters.FailAll(new ControlStateException("agent stopping"));
        _stop.Dispose();
    }

    // ---- active side ----------------------------------------------------------------------------------------

    private void OnCommitted(IReadOnlyList<ChangeEntry> entries, bool local)
    {
        // On the storage thread, right after the commit: books first, then the live stream. Only this node's own
        // writes count; the books restart whenever they would not continue (a new term).
        if (!local)
        {
            return;
        }

        lock (_ledgerGate)
        {
            if (_ledger is null || _ledger.Last + 1 != entries[0].Sequence)
            {
                _ledger = NewLedger(entries[0].Sequence - 1);
            }

            foreach (var e in entries)
            {
                _ledger.OnAppended(e.Sequence);
            }
        }

        _live?.Writer.TryWrite(entries);
    }

    private ReplicationLedger NewLedger(ulong last) =>
        new(new ReplicationLedgerOptions(_settings.Mode, _settings.SyncTimeout, _settings.RetentionEntries), _time, last);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_role() != Role.Active)
            {
                socket.Dispose();
                continue;
            }

            _ = Serve(socket);
        }
    }

    private async Task Serve(Socket socket)
    {
        socket.NoDelay = true;
        var live = Channel.CreateUnbounded<IReadOnlyList<ChangeEntry>>(new UnboundedChannelOptions { SingleReader = true });
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        ReplicationChannel? channel = null;
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
            handshake.CancelAfter(TimeSpan.FromSeconds(5));
            channel = await ReplicationChannel.AcceptAsync(new NetworkStream(socket, ownsSocket: true), _key, _options.PairId, _options.NodeId, handshake.Token).ConfigureAwait(false);
            var (type, payload) = await channel.ReceiveAsync(handshake.Token).ConfigureAwait(false);
            if (type != ReplicationMessageType.Resume || ReplicationMessages.TryReadResume(payload.Span, out var resume) is not ReplicationRefusal.None)
            {
                throw new ReplicationRefusedException(ReplicationRefusal.Malformed, "replication: expected a resume message");
            }

            // Subscribe to live changes and read the log's bounds in one storage-thread job, so nothing falls between.
            ulong first = 0, last = 0;
            EpochStart[] history = [];
            await _storage.Run(store =>
            {
                Interlocked.Exchange(ref _live, live)?.Writer.TryComplete();
                first = store.FirstInLog;
                last = store.LastSequence;
                history = store.History.ToArray();
            }).ConfigureAwait(false);

            var common = CommonPoint.Find(history, last, resume!.History, resume.LastSequence);
            var plan = CatchUpPlan.Decide(common, resume.LastSequence, first, last);
            Log.StandbyConnected(_log, _options.NodeName, channel.PeerNodeId, resume.LastSequence, common, plan.Kind.ToString(), plan.Diverged);
            var sentUpTo = common;
            if (plan.Diverged)
            {
                await channel.SendAsync(ReplicationMessageType.Diverged, 8, d => ReplicationMessages.WriteDiverged(common, d), session.Token).ConfigureAwait(false);
            }

            if (plan.Diverged || plan.Kind == CatchUpKind.Snapshot)
            {
                sentUpTo = await SendSnapshot(channel, session.Token).ConfigureAwait(false);
            }

            lock (_ledgerGate)
            {
                _ledger ??= NewLedger(last);
                _ledger.OnStandbyConnected();
                if (!plan.Diverged)
                {
                    _ledger.OnAcked(common);
                }
            }

            var reader = ReadAcks(channel, session.Token);
            while (sentUpTo < last)
            {
                var batch = _storage.Store.ReadLog(sentUpTo + 1, 1000);
                if (batch.Count == 0)
                {
                    break;
                }

                await SendEntries(channel, batch, session.Token).ConfigureAwait(false);
                sentUpTo = batch[^1].Sequence;
            }

            var pending = new List<ChangeEntry>();
            while (await live.Reader.WaitToReadAsync(session.Token).ConfigureAwait(false))
            {
                pending.Clear();
                var bytes = 0;
                while (bytes < BatchBytes && live.Reader.TryRead(out var entries))
                {
                    foreach (var e in entries)
                    {
                        if (e.Sequence > sentUpTo)
                        {
                            pending.Add(e);
                            bytes += ReplicationMessages.EntryLength(e);
                            sentUpTo = e.Sequence;
                        }
                    }
                }

                if (pending.Count > 0)
                {
                    await SendEntries(channel, pending, session.Token).ConfigureAwait(false);
                }

                if (reader.IsCompleted)
                {
                    break;
                }
            }

            await reader.ConfigureAwait(false);
        }
        catch (ReplicationRefusedException ex)
        {
            Interlocked.Increment(ref _refused);
            Log.Refused(_log, _options.NodeName, ex.Refusal.ToString(), ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Log.StandbyLost(_log, _options.NodeName, ex.Message);
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _live, null, live);
            live.Writer.TryComplete();
            lock (_ledgerGate)
            {
                _ledger?.OnStandbyDisconnected();
            }

            await session.CancelAsync().ConfigureAwait(false);
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }
        }
    }

    private async Task ReadAcks(ReplicationChannel channel, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var (type, payload) = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (type != ReplicationMessageType.Ack || ReplicationMessages.TryReadAck(payload.Span, out var seq) != ReplicationRefusal.None)
            {
                throw new ReplicationRefusedException(ReplicationRefusal.Malformed, $"replication: unexpected {type} from the standby");
            }

            lock (_ledgerGate)
            {
                if (_ledger is { } ledger)
                {
                    if (seq > ledger.Last)
                    {
                        throw new ReplicationRefusedException(ReplicationRefusal.Malformed, $"replication: the standby acknowledged {seq}, beyond the last change {ledger.Last}");
                    }

                    ledger.OnAcked(seq);
                }
            }

            JudgeWaiters();
        }
    }

    private async Task<ulong> SendSnapshot(ReplicationChannel channel, CancellationToken cancellationToken)
    {
        // Taken on the storage thread: the rows and the position belong to one moment.
        IReadOnlyList<ChangeEntry> rows = [];
        SnapshotBeginMessage? begin = null;
        await _storage.Run(store =>
        {
            rows = store.SnapshotRows();
            begin = new SnapshotBeginMessage(store.LastEpoch, store.LastSequence, store.History.ToArray(), (ulong)rows.Count);
        }).ConfigureAwait(false);
        var beginLength = ReplicationMessages.SnapshotBeginLength(begin!);
        await channel.SendAsync(ReplicationMessageType.SnapshotBegin, beginLength, d => ReplicationMessages.WriteSnapshotBegin(begin!, d), cancellationToken).ConfigureAwait(false);
        foreach (var chunk in Chunks(rows))
        {
            await channel.SendAsync(ReplicationMessageType.SnapshotChunk, ReplicationMessages.EntriesLength(chunk), d => ReplicationMessages.WriteEntries(chunk, d), cancellationToken).ConfigureAwait(false);
        }

        await channel.SendAsync(ReplicationMessageType.SnapshotEnd, 0, _ => 0, cancellationToken).ConfigureAwait(false);
        Log.SnapshotSent(_log, _options.NodeName, rows.Count, begin!.LastSequence);
        return begin.LastSequence;
    }

    private static async Task SendEntries(ReplicationChannel channel, IReadOnlyList<ChangeEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var chunk in Chunks(entries))
        {
            await channel.SendAsync(ReplicationMessageType.Entries, ReplicationMessages.EntriesLength(chunk), d => ReplicationMessages.WriteEntries(chunk, d), cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<IReadOnlyList<ChangeEntry>> Chunks(IReadOnlyList<ChangeEntry> entries)
    {
        var chunk = new List<ChangeEntry>();
        var bytes = 0;
        foreach (var e in entries)
        {
            var n = ReplicationMessages.EntryLength(e);
            if (chunk.Count > 0 && bytes + n > BatchBytes)
            {
                yield return chunk;
                chunk = [];
                bytes = 0;
            }

            chunk.Add(e);
            bytes += n;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private void JudgeWaiters()
    {
        lock (_ledgerGate)
        {
            var ledger = _ledger;
            if (ledger is null)
            {
                _waiters.Judge(_ => _settings.Mode == ReplicationMode.Async ? WriteOutcome.Completed : WriteOutcome.Waiting, TimedOut);
                return;
            }

            _waiters.Judge(ledger.Judge, TimedOut);
        }
    }

    private ControlStateException TimedOut(ulong sequence) => new(
        $"change {sequence} was committed on this node but the standby did not acknowledge it within {_settings.SyncTimeout.TotalMilliseconds:F0} ms (mode sync); it will replicate when the standby is back");

    private async Task TickLoop()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5), _time);
        var nextCompaction = _time.GetTimestamp();
        var wasActive = false;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var active = _role() == Role.Active;
                if (active != wasActive)
                {
                    // A new term: the books start from this node's log as it stands, read on the storage thread
                    // so that no commit falls between.
                    await _storage.Run(store =>
                    {
                        lock (_ledgerGate)
                        {
                            _ledger = active ? NewLedger(store.LastSequence) : null;
                        }
                    }).ConfigureAwait(false);

                    if (!active)
                    {
                        _waiters.FailAll(new ControlStateException("this node stopped being active before the change was replicated"));
                    }

                    wasActive = active;
                }

                ulong bound = 0;
                lock (_ledgerGate)
                {
                    if (_ledger is { } ledger)
                    {
                        ledger.Evaluate();
                        while (ledger.TryDequeueAlarm(out var alarm))
                        {
                            if (alarm.Raised)
                            {
                                Log.ReplicationAlarm(_log, _options.NodeName, alarm.Text);
                            }
                            else
                            {
                                Log.ReplicationAlarmCleared(_log, _options.NodeName, alarm.Text);
                            }
                        }

                        bound = ledger.CompactionBound();
                    }
                }

                JudgeWaiters();
                if (active && bound > 0 && _time.GetTimestamp() >= nextCompaction)
                {
                    nextCompaction = _time.GetTimestamp() + _time.TimestampFrequency;
                    _ = _storage.Run(store => store.Compact(bound));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    // ---- standby side ---------------------------------------------------------------------------------------

    private async Task ClientLoop()
    {
        var lastError = string.Empty;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (_role() is Role.Active or Role.Faulted or Role.Stopping || _activePeer() == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), _time, _stop.Token).ConfigureAwait(false);
                    continue;
                }

                await Follow(_stop.Token).ConfigureAwait(false);
            }
            catch (ReplicationRefusedException ex)
            {
                Interlocked.Increment(ref _refused);
                Log.Refused(_log, _options.NodeName, ex.Refusal.ToString(), ex.Message);
            }
            catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                if (ex.Message != lastError)
                {
                    lastError = ex.Message;
                    Log.ActiveLost(_log, _options.NodeName, ex.Message);
                }
            }
            finally
            {
                _clientConnected = false;
                _snapshotInProgress = false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task Follow(CancellationToken cancellationToken)
    {
        using var follow = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var socket = new Socket(_settings.Peer.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await socket.ConnectAsync(_settings.Peer, connect.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        await using var channel = await ReplicationChannel.ConnectAsync(new NetworkStream(socket, ownsSocket: true), _key, _options.PairId, _options.NodeId, follow.Token).ConfigureAwait(false);
        var store = _storage.Store;
        var resume = new ResumeMessage(store.LastEpoch, store.LastSequence, store.History.ToArray());
        await channel.SendAsync(ReplicationMessageType.Resume, ReplicationMessages.ResumeLength(resume), d => ReplicationMessages.WriteResume(resume, d), follow.Token).ConfigureAwait(false);
        _clientConnected = true;
        _ = WatchRole(follow);

        // Entries are applied by a separate loop that takes everything received meanwhile into one commit: the
        // standby's commits then grow with the load instead of capping it at one disk flush per message.
        var received = Channel.CreateUnbounded<ChangeEntry[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var applier = ApplyReceived(channel, received.Reader, follow);
        var entries = new List<ChangeEntry>();
        List<ChangeEntry>? snapshotRows = null;
        SnapshotBeginMessage? snapshot = null;
        while (true)
        {
            if (applier.IsCompleted)
            {
                await applier.ConfigureAwait(false); // surfaces the applier's failure
            }

            var (type, payload) = await channel.ReceiveAsync(follow.Token).ConfigureAwait(false);
            switch (type)
            {
                case ReplicationMessageType.Entries:
                    entries.Clear();
                    Check(ReplicationMessages.TryReadEntries(payload.Span, entries));
                    received.Writer.TryWrite(entries.ToArray());
                    break;
                case ReplicationMessageType.Diverged:
                    Check(ReplicationMessages.TryReadDiverged(payload.Span, out var common));
                    var moved = 0;
                    await _storage.Run(s => moved = s.MoveToConflicts(common, _time.GetUtcNow().ToUnixTimeMilliseconds())).ConfigureAwait(false);
                    Log.Diverged(_log, _options.NodeName, moved, common, channel.PeerNodeId);
                    break;
                case ReplicationMessageType.SnapshotBegin:
                    Check(ReplicationMessages.TryReadSnapshotBegin(payload.Span, out snapshot));
                    snapshotRows = [];
                    _snapshotInProgress = true;
                    break;
                case ReplicationMessageType.SnapshotChunk when snapshotRows is not null:
                    Check(ReplicationMessages.TryReadEntries(payload.Span, snapshotRows));
                    break;
                case ReplicationMessageType.SnapshotEnd when snapshot is not null && snapshotRows is not null:
                    var (begin, rows) = (snapshot, snapshotRows);
                    await _storage.Run(s => s.InstallSnapshot(begin.LastEpoch, begin.LastSequence, begin.History, rows)).ConfigureAwait(false);
                    _values.Reset(rows);
                    _snapshotInProgress = false;
                    Log.SnapshotInstalled(_log, _options.NodeName, rows.Count, begin.LastSequence);
                    await channel.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(begin.LastSequence, d), follow.Token).ConfigureAwait(false);
                    (snapshot, snapshotRows) = (null, null);
                    break;
                default:
                    throw new ReplicationRefusedException(ReplicationRefusal.Malformed, $"replication: unexpected {type} from the active");
            }
        }
    }

    private async Task ApplyReceived(ReplicationChannel channel, ChannelReader<ChangeEntry[]> received, CancellationTokenSource follow)
    {
        var batch = new List<ChangeEntry>();
        try
        {
            while (await received.WaitToReadAsync(follow.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < 5000 && received.TryRead(out var entries))
                {
                    batch.AddRange(entries);
                }

                var last = batch[^1].Sequence;
                await _storage.Apply(batch.ToArray()).ConfigureAwait(false);
                await channel.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(last, d), follow.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await follow.CancelAsync().ConfigureAwait(false); // ends the receiving side too
            throw;
        }
    }

    private async Task WatchRole(CancellationTokenSource follow)
    {
        // A standby that becomes active (or the active that vanishes) ends the following at once.
        try
        {
            while (!follow.IsCancellationRequested)
            {
                if (_role() is Role.Active or Role.Faulted or Role.Stopping)
                {
                    await follow.CancelAsync().ConfigureAwait(false);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, follow.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // the session ended first
        }
    }

    private static void Check(ReplicationRefusal refusal)
    {
        if (refusal != ReplicationRefusal.None)
        {
            throw new ReplicationRefusedException(refusal, $"replication message refused: {refusal}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(201, LogLevel.Information, "{Node}: standby node {Peer} connected at change {StandbyLast}; common point {Common}, catch-up {Plan}, diverged {Diverged}")]
        public static partial void StandbyConnected(ILogger logger, string node, byte peer, ulong standbyLast, ulong common, string plan, bool diverged);

        [LoggerMessage(202, LogLevel.Warning, "{Node}: standby connection lost: {Error}")]
        public static partial void StandbyLost(ILogger logger, string node, string error);

        [LoggerMessage(203, LogLevel.Warning, "{Node}: replication refused ({Refusal}): {Error}")]
        public static partial void Refused(ILogger logger, string node, string refusal, string error);

        [LoggerMessage(204, LogLevel.Error, "{Node}: ALARM Replication (standby): {Text}")]
        public static partial void ReplicationAlarm(ILogger logger, string node, string text);

        [LoggerMessage(205, LogLevel.Information, "{Node}: alarm cleared Replication (standby): {Text}")]
        public static partial void ReplicationAlarmCleared(ILogger logger, string node, string text);

        [LoggerMessage(206, LogLevel.Information, "{Node}: snapshot of {Rows} keys at change {Sequence} sent to the standby")]
        public static partial void SnapshotSent(ILogger logger, string node, int rows, ulong sequence);

        [LoggerMessage(207, LogLevel.Information, "{Node}: snapshot of {Rows} keys at change {Sequence} installed")]
        public static partial void SnapshotInstalled(ILogger logger, string node, int rows, ulong sequence);

        [LoggerMessage(208, LogLevel.Warning, "{Node}: split brain resolved: {Moved} change(s) after {Common} that node {Peer} never saw moved to conflicts; resyncing")]
        public static partial void Diverged(ILogger logger, string node, int moved, ulong common, byte peer);

        [LoggerMessage(209, LogLevel.Warning, "{Node}: cannot follow the active: {Error}")]
        public static partial void ActiveLost(ILogger logger, string node, string error);
    }
}
