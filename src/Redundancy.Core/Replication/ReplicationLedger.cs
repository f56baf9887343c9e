namespace Redundancy.Core.Replication;

/// <summary>
/// The active's replication bookkeeping: what was appended and acknowledged, how far the standby lags, whether
/// a waiting write is complete, when semi-sync falls back to async, and how far the log may be compacted.
/// Pure: no I/O; time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: owned by the engine loop. Steady state allocates nothing (append times live in a ring that
/// grows, rarely, up to <see cref="ReplicationLedgerOptions.MaxTrackedEntries"/>); only alarm changes allocate.
/// Only <see cref="Evaluate"/> changes the semi-sync fallback: call it after every ack, connection change and
/// tick, then <see cref="Judge"/> each waiting writer.
/// </remarks>
public sealed class ReplicationLedger
{
    private const int InitialCapacity = 64;

    private readonly ReplicationLedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly Queue<ReplicationAlarm> _alarms = new();

    // Append times of sequences _trackedFrom .. _trackedFrom + _count - 1 (= Last when _count > 0), oldest at _head.
    private long[] _appendedAt;
    private int _head;
    private int _count;
    private ulong _trackedFrom;

    // Unacknowledged sequences before _trackedFrom (appended before this ledger, or forgotten beyond the ring's
    // limit) are taken as appended at this time, no later than their real append.
    private long _untrackedAt;
    private readonly StandbyConnection _connection;

    /// <summary>
    /// Creates the ledger of an active whose log ends at <paramref name="last"/>. Nothing counts as acknowledged
    /// until the standby says so; entries already in the log count as appended now.
    /// </summary>
    public ReplicationLedger(ReplicationLedgerOptions options, TimeProvider time, ulong last)
        : this(options, time, last, new StandbyConnection())
    {
    }

    /// <summary>
    /// Creates the ledger of a term whose log ends at <paramref name="last"/>, on the standby connection
    /// <paramref name="connection"/> that outlives terms: a session that is up stays up in the new term, with what
    /// it acknowledged (up to <paramref name="last"/>).
    /// </summary>
    public ReplicationLedger(ReplicationLedgerOptions options, TimeProvider time, ulong last, StandbyConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _time = time;
        _appendedAt = new long[Math.Min(InitialCapacity, options.MaxTrackedEntries)];
        Last = last;
        _trackedFrom = last + 1;
        _untrackedAt = time.GetTimestamp();

        // What the session's standby acknowledged before this term still counts: the log below it is the same.
        Acked = Math.Min(connection.Acked, last);
    }

    /// <summary>The configured mode.</summary>
    public ReplicationMode Mode => _options.Mode;

    /// <summary>The mode writes are judged by now: a fallen-back semi-sync ledger judges as async.</summary>
    public ReplicationMode EffectiveMode => _options.Mode switch
    {
        ReplicationMode.SemiSync => IsFallenBack ? ReplicationMode.Async : ReplicationMode.Sync,
        var mode => mode,
    };

    /// <summary>Semi-sync only: the standby is gone or too slow and writes complete without it.</summary>
    public bool IsFallenBack { get; private set; }

    /// <summary>Whether the standby's replication connection is up.</summary>
    public bool StandbyConnected => _connection.Connected;

    /// <summary>The standby connection this ledger's term runs on (it outlives the term).</summary>
    public StandbyConnection Connection => _connection;

    /// <summary>The highest sequence the standby has acknowledged (persisted); 0 when none.</summary>
    public ulong Acked { get; private set; }

    /// <summary>The last sequence appended to the log.</summary>
    public ulong Last { get; private set; }

    /// <summary>Entries appended but not acknowledged.</summary>
    public ulong LagEntries => Last - Acked;

    /// <summary>Age of the oldest unacknowledged entry; zero when none. An over-estimate when more than
    /// <see cref="ReplicationLedgerOptions.MaxTrackedEntries"/> are unacknowledged.</summary>
    public TimeSpan LagTime => Last > Acked ? _time.GetElapsedTime(AppendedAt(Acked + 1)) : TimeSpan.Zero;

    /// <summary>Records that <paramref name="sequence"/> (exactly <see cref="Last"/> + 1) was committed locally now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence does not follow <see cref="Last"/>.</exception>
    public void OnAppended(ulong sequence)
    {
        if (sequence != Last + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"the next sequence to append is {Last + 1}");
        }

        var now = _time.GetTimestamp();
        if (_count == _appendedAt.Length)
        {
            if (_appendedAt.Length < _options.MaxTrackedEntries)
            {
                Grow();
            }
            else
            {
                // Forget the oldest; the untracked range keeps the oldest forgotten time, so lag is never under-stated.
                if (Acked + 1 >= _trackedFrom)
                {
                    _untrackedAt = _appendedAt[_head];
                }

                _head = (_head + 1) % _appendedAt.Length;
                _count--;
                _trackedFrom++;
            }
        }

        _appendedAt[(_head + _count) % _appendedAt.Length] = now;
        _count++;
        Last = sequence;
    }

    /// <summary>
    /// Records the standby's acknowledgement of every sequence up to <paramref name="sequence"/>. Returns whether
    /// <see cref="Acked"/> advanced; a sequence at or below it is ignored (acknowledgements only move forward).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence is beyond <see cref="Last"/>: the standby acknowledges
    /// something it was never sent. Check first and drop such a connection.</exception>
    public bool OnAcked(ulong sequence)
    {
        if (sequence > Last)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"acknowledged beyond the last sequence {Last}");
        }

        if (sequence <= Acked)
        {
            return false;
        }

        Acked = sequence;
        _connection.OnAcked(sequence);
        if (Acked >= _trackedFrom)
        {
            var drop = (int)Math.Min((ulong)_count, Acked - _trackedFrom + 1);
            _head = (_head + drop) % _appendedAt.Length;
            _count -= drop;
            _trackedFrom += (ulong)drop;
        }

        return true;
    }

    /// <summary>Records that the standby's replication connection came up; returns the session's number.</summary>
    public long OnStandbyConnected() => _connection.Connect();

    /// <summary>Records that the standby's current replication session went down.</summary>
    public void OnStandbyDisconnected() => _connection.Disconnect(_connection.Current);

    /// <summary>Records that session <paramref name="session"/> went down; a stale session's end changes nothing.</summary>
    public bool OnStandbyDisconnected(long session) => _connection.Disconnect(session);

    /// <summary>
    /// Semi-sync only (other modes: does nothing, returns false): falls back to async when the standby is not
    /// connected or its oldest unacknowledged entry is older than the sync timeout; returns to sync once it is
    /// connected and has acknowledged everything. Each change queues an alarm. Returns whether the mode changed.
    /// </summary>
    public bool Evaluate()
    {
        if (_options.Mode != ReplicationMode.SemiSync)
        {
            return false;
        }

        if (!IsFallenBack)
        {
            string? reason = null;
            if (!_connection.Connected)
            {
                reason = "not connected";
            }
            else if (LagTime > _options.SyncTimeout)
            {
                reason = $"did not acknowledge sequence {Acked + 1} within {_options.SyncTimeout.TotalMilliseconds:F0} ms";
            }

            if (reason is null)
            {
                return false;
            }

            IsFallenBack = true;
            _alarms.Enqueue(new ReplicationAlarm(true, $"replication degraded: semi-sync fell back to async (standby {reason})"));
            return true;
        }

        if (_connection.Connected && Last == Acked)
        {
            IsFallenBack = false;
            _alarms.Enqueue(new ReplicationAlarm(false, "replication back in sync"));
            return true;
        }

        return false;
    }

    /// <summary>
    /// What to tell the writer of <paramref name="sequence"/>: <see cref="WriteOutcome.Completed"/> once acknowledged,
    /// always in async and in fallen-back semi-sync; in sync mode <see cref="WriteOutcome.TimedOut"/> when older than the
    /// sync timeout; otherwise <see cref="WriteOutcome.Waiting"/>. A semi-sync write past the timeout keeps waiting
    /// until <see cref="Evaluate"/> falls back. Allocates nothing; reads the clock only in sync mode.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence was not appended.</exception>
    public WriteOutcome Judge(ulong sequence)
    {
        if (sequence > Last || sequence == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"not appended (last is {Last})");
        }

        if (sequence <= Acked)
        {
            return WriteOutcome.Completed;
        }

        return _options.Mode switch
        {
            ReplicationMode.Async => WriteOutcome.Completed,
            ReplicationMode.SemiSync => IsFallenBack ? WriteOutcome.Completed : WriteOutcome.Waiting,
            _ => _time.GetElapsedTime(AppendedAt(sequence)) > _options.SyncTimeout ? WriteOutcome.TimedOut : WriteOutcome.Waiting,
        };
    }

    /// <summary>
    /// Entries with a sequence at or below the result may be deleted from the log: those the standby acknowledged,
    /// and any more than <see cref="ReplicationLedgerOptions.RetentionEntries"/> behind <see cref="Last"/>. 0 when
    /// nothing may go.
    /// </summary>
    public ulong CompactionBound() =>
        Last > _options.RetentionEntries ? Math.Max(Acked, Last - _options.RetentionEntries) : Acked;

    /// <summary>Takes the next alarm change, if any.</summary>
    public bool TryDequeueAlarm(out ReplicationAlarm alarm) => _alarms.TryDequeue(out alarm);

    private long AppendedAt(ulong sequence) =>
        sequence < _trackedFrom ? _untrackedAt : _appendedAt[(int)((_head + (long)(sequence - _trackedFrom)) % _appendedAt.Length)];

    private void Grow()
    {
        var bigger = new long[(int)Math.Min((long)_appendedAt.Length * 2, _options.MaxTrackedEntries)];
        for (var k = 0; k < _count; k++)
        {
            bigger[k] = _appendedAt[(_head + k) % _appendedAt.Length];
        }

        _appendedAt = bigger;
        _head = 0;
    }
}
