using System.Net.Sockets;
using System.Threading.Channels;
using Redundancy.Core.Configuration;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Edges.Replication;

namespace Redundancy.Agent.Replication;

/// <summary>The standby side: following the active, applying, acknowledging, resolving divergence.</summary>
internal sealed partial class ReplicationService
{
    /// <summary>Messages received and waiting for the standby's storage thread (each up to
    /// <see cref="MessageEntries"/> entries).</summary>
    private const int ReceiveQueueMessages = 4;

    /// <summary>Most entries the standby commits in one transaction.</summary>
    private const int ApplyBatchEntries = 2 * MessageEntries;

    /// <summary>How long the standby's connect may take (within <see cref="HandshakeTimeout"/>): an active that does
    /// not answer is dialled again soon.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long an async standby gathers received entries before it commits them.</summary>
    private static readonly TimeSpan AsyncGatherWindow = TimeSpan.FromMilliseconds(5);

    private async Task ClientLoop()
    {
        var lastError = string.Empty;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (_view.Role is Role.Active or Role.Faulted or Role.Stopping || _view.ActivePeer == 0)
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
            catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or ObjectDisposedException or InvalidOperationException
                or OperationCanceledException or ArgumentException or Edges.Storage.StorageException)
            {
                // A connect or handshake past its bound, and a session the keepalive watch ended, arrive here too.
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
        ReplicationChannel channel;

        // Connect, handshake and resume within one bound: a black-holed active must not hold the standby here.
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            handshake.CancelAfter(HandshakeTimeout);
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(handshake.Token);
            connect.CancelAfter(ConnectTimeout);
            try
            {
                await socket.ConnectAsync(_settings.Peer, connect.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            channel = await ReplicationChannel.ConnectAsync(new NetworkStream(socket, ownsSocket: true), _key, _options.PairId, _options.NodeId, handshake.Token).ConfigureAwait(false);
            try
            {
                // Read on the storage thread, in order with the commits: a write this node numbered as the active may
                // still be committing (a switchover hands over once the standby has it, not once it is on this disk),
                // and the position sent must include it.
                ResumeMessage? resume = null;
                await _storage.Run(store => resume = new ResumeMessage(store.LastEpoch, store.LastSequence, store.History.ToArray(), store.NeedsSnapshot))
                    .WaitAsync(HandshakeTimeout, _time, handshake.Token).ConfigureAwait(false);
                await channel.SendAsync(ReplicationMessageType.Resume, ReplicationMessages.ResumeLength(resume!), d => ReplicationMessages.WriteResume(resume!, d), handshake.Token).ConfigureAwait(false);
            }
            catch
            {
                await channel.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        await using var session = channel;
        try
        {
            _clientConnected = true;
            _ = channel.RunKeepalive(Keepalive, _time, state =>
            {
                _streamSilent = state != LivenessState.Alive;
                StreamStateChanged(state, $"replication stream from the active node {channel.PeerNodeId} (this standby is not hot meanwhile)");
            }, follow);
            // A standby that becomes active (or the active that vanishes) ends the following at once: TermLoop.
            Volatile.Write(ref _following, follow);
            if (_view.Role is Role.Active or Role.Faulted or Role.Stopping)
            {
                await follow.CancelAsync().ConfigureAwait(false); // became so before this session was registered
            }

            await Receive(channel, follow).ConfigureAwait(false);
        }
        finally
        {
            _streamSilent = false;
            Interlocked.CompareExchange(ref _following, null, follow);
            await follow.CancelAsync().ConfigureAwait(false); // ends the keepalive watch with the session
        }
    }

    private async Task Receive(ReplicationChannel channel, CancellationTokenSource follow)
    {
        // Entries are applied by a separate loop that takes everything received meanwhile into one commit: the
        // standby's commits then grow with the load instead of capping it at one disk flush per message.
        // Bounded: when the disk is slower than the stream, the receiving stops, TCP pushes back on the active and
        // the lag shows there, instead of the standby's memory growing without end (and every collection with it).
        var received = Channel.CreateBounded<List<ChangeEntry>>(new BoundedChannelOptions(ReceiveQueueMessages) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var applier = ApplyReceived(channel, received.Reader, follow);
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
                    var entries = new List<ChangeEntry>(); // handed to the applier
                    Check(ReplicationMessages.TryReadEntries(payload.Span, entries));
                    await received.Writer.WriteAsync(entries, follow.Token).ConfigureAwait(false);
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

    private async Task ApplyReceived(ReplicationChannel channel, ChannelReader<List<ChangeEntry>> received, CancellationTokenSource follow)
    {
        // One list for every batch (the storage thread is done with it when Apply completes): no large array per commit.
        var batch = new List<ChangeEntry>(ApplyBatchEntries);
        try
        {
            while (await received.WaitToReadAsync(follow.Token).ConfigureAwait(false))
            {
                batch.Clear();
                Drain(received, batch);
                if (_settings.Mode == ReplicationMode.Async && batch.Count > 0 && batch.Count < ApplyBatchEntries / 2)
                {
                    // Nobody waits for an async standby's commit: gathering for a few milliseconds makes its commits
                    // (and disk flushes) fewer when the writes come one by one, leaving the disk to the active.
                    await Task.Delay(AsyncGatherWindow, _time, follow.Token).ConfigureAwait(false);
                    Drain(received, batch);
                }

                if (batch.Count == 0)
                {
                    continue; // an empty message
                }

                var last = batch[^1].Sequence;
                await _storage.Apply(batch).ConfigureAwait(false);
                await channel.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(last, d), follow.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await follow.CancelAsync().ConfigureAwait(false); // ends the receiving side too
            throw;
        }
    }

    private static void Drain(ChannelReader<List<ChangeEntry>> received, List<ChangeEntry> batch)
    {
        while ((batch.Count == 0 || (received.TryPeek(out var next) && batch.Count + next.Count <= ApplyBatchEntries)) && received.TryRead(out var entries))
        {
            batch.AddRange(entries);
        }
    }

    private static void Check(ReplicationRefusal refusal)
    {
        if (refusal != ReplicationRefusal.None)
        {
            throw new ReplicationRefusedException(refusal, $"replication message refused: {refusal}");
        }
    }
}
