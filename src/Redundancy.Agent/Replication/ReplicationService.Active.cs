using System.Net.Sockets;
using System.Threading.Channels;
using Redundancy.Agent.State;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Edges.Net;
using Redundancy.Edges.Replication;

namespace Redundancy.Agent.Replication;

/// <summary>The active side: serving the standby, keeping the books, judging waiting writers, compacting.</summary>
internal sealed partial class ReplicationService
{
    /// <summary>The most one change can take encoded: a segment may exceed its size bound by one such entry.</summary>
    private const int MaxEntryBytes = Core.State.ControlStateRules.MaxValueBytes + Core.State.ControlStateRules.MaxKeyBytes + 64;

    private void OnSequenced(IReadOnlyList<ChangeEntry> entries)
    {
        // On the storage thread, as the local commit of these entries starts: books first, then the live stream.
        // Only this node's own writes count; the books restart whenever they would not continue (a new term).
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

    // Every term's ledger runs on the one standby connection: a session that is up stays up across terms.
    private ReplicationLedger NewLedger(ulong last) =>
        new(new ReplicationLedgerOptions(_settings.Mode, _settings.SyncTimeout, _settings.RetentionEntries), _time, last, _connection);

    private Task AcceptLoop()
    {
        // One standby and its reconnect, plus room for a stray client; at most two handshakes at once, each bounded
        // in time, so junk connections can neither exhaust descriptors nor hold the real standby out for long.
        var options = new BoundedListenerOptions { MaxConnections = MaxSessions, MaxPending = MaxHandshakes, PendingTimeout = HandshakeTimeout };
        var accept = new BoundedListener(_listener!.Server, options, Serve, new ListenerLog(_log, _options.NodeName, "replication listener", _time), _time);
        return accept.Run(_stop.Token);
    }

    private async Task Serve(ListenerConnection connection)
    {
        if (_view.Role != Role.Active)
        {
            return; // closed by the listener
        }

        var socket = connection.Socket;
        socket.NoDelay = true;
        var live = Channel.CreateUnbounded<IReadOnlyList<ChangeEntry>>(new UnboundedChannelOptions { SingleReader = true });

        // The connection's token ends the handshake at the listener's pending timeout, and everything at stop.
        using var session = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
        ReplicationChannel? channel = null;
        Task? reader = null;
        long sessionId = 0;
        try
        {
            channel = await ReplicationChannel.AcceptAsync(new NetworkStream(socket, ownsSocket: false), _key, _options.PairId, _options.NodeId, session.Token).ConfigureAwait(false);
            var (type, payload) = await channel.ReceiveAsync(session.Token).ConfigureAwait(false);
            if (type != ReplicationMessageType.Resume || ReplicationMessages.TryReadResume(payload.Span, out var resume) is not ReplicationRefusal.None)
            {
                throw new ReplicationRefusedException(ReplicationRefusal.Malformed, "replication: expected a resume message");
            }

            connection.Admit();
            var peer = channel.PeerNodeId;
            _ = channel.RunKeepalive(Keepalive, _time, state => StreamStateChanged(state, $"replication stream from standby node {peer}"), session);

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

            // A standby whose resync was cut short before its snapshot asks for one: matching histories do not prove
            // its state matches (it still holds the effect of the entries it moved to conflicts).
            if (plan.Diverged || plan.Kind == CatchUpKind.Snapshot || resume.NeedsSnapshot)
            {
                sentUpTo = await SendSnapshot(channel, session.Token).ConfigureAwait(false);
            }

            lock (_ledgerGate)
            {
                _ledger ??= NewLedger(last);
                sessionId = _ledger.OnStandbyConnected();
                if (!plan.Diverged)
                {
                    _ledger.OnAcked(common);
                }
            }

            reader = ReadAcks(channel, session);
            var message = new byte[BatchBytes + Edges.Storage.ControlStateStore.SegmentBytes + MaxEntryBytes]; // one per catch-up, reused
            while (sentUpTo < last)
            {
                var (length, upTo) = _storage.Store.ReadSegments(sentUpTo + 1, message, MessageEntries);
                if (length > 0)
                {
                    // Whole segments, as stored: no entry objects made on the active (see ReadSegments).
                    await channel.SendAsync(ReplicationMessageType.Entries, length, d => { message.AsSpan(0, length).CopyTo(d); return length; }, session.Token).ConfigureAwait(false);
                    sentUpTo = upTo;
                    continue;
                }

                // The first segment reaches back before what the standby has: send the rest of it entry by entry.
                var batch = _storage.Store.ReadSegmentFrom(sentUpTo + 1);
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
        catch (Exception ex) when (ex is ReplicationRefusedException or IOException or SocketException or EndOfStreamException
            or OperationCanceledException or ObjectDisposedException or InvalidOperationException or ArgumentException or Edges.Storage.StorageException)
        {
            // When the acknowledgement reader failed, it cancelled the sending side: report its failure instead.
            var cause = ex;
            if (ex is OperationCanceledException && reader is not null)
            {
                try
                {
                    await reader.ConfigureAwait(false);
                }
                catch (Exception readerFailure)
                {
                    cause = readerFailure;
                }
            }

            if (cause is ReplicationRefusedException refused)
            {
                Interlocked.Increment(ref _refused);
                Log.Refused(_log, _options.NodeName, refused.Refusal.ToString(), refused.Message);
            }
            else if (!_stop.IsCancellationRequested)
            {
                Log.StandbyLost(_log, _options.NodeName, cause.Message);
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _live, null, live);
            live.Writer.TryComplete();
            lock (_ledgerGate)
            {
                if (sessionId != 0)
                {
                    _connection.Disconnect(sessionId); // only if still the current session
                }
            }

            await session.CancelAsync().ConfigureAwait(false);
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Raises and clears the alarm of a silent stream (either side); a dead one ends its session, which logs why.</summary>
    private void StreamStateChanged(LivenessState state, string stream)
    {
        switch (state)
        {
            case LivenessState.Silent:
                _events.Raise("Replication", "stream", $"{stream} silent for {Keepalive.SilentAfter.TotalMilliseconds:F0} ms ({Keepalive.SilentAfterMissed} keepalives missed)");
                break;
            case LivenessState.Alive:
                _events.Clear("Replication", "stream", $"{stream} heard again");
                break;
        }
    }

    /// <summary>
    /// Reads the standby's acknowledgements until the session ends. When it fails it cancels the session: the
    /// sending side would otherwise go on, or wait for live changes forever, with nobody reading the acks (the
    /// standby then blocks on sending one and stops applying).
    /// </summary>
    private async Task ReadAcks(ReplicationChannel channel, CancellationTokenSource session)
    {
        var cancellationToken = session.Token;
        try
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
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await session.CancelAsync().ConfigureAwait(false);
            throw;
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
            if (chunk.Count > 0 && (bytes + n > BatchBytes || chunk.Count == MessageEntries))
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
}
