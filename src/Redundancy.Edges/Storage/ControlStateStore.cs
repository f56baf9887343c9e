using LiteDB;
using Redundancy.Core.Replication;
using Redundancy.Core.State;

namespace Redundancy.Edges.Storage;

/// <summary>
/// The node's control state and change log in one LiteDB file: every change is appended to the log and
/// applied to the state in the same transaction, together with the last applied (epoch, sequence) and the
/// node's epoch, so after a crash at any point the log, the state and the position agree.
/// </summary>
/// <remarks>
/// LiteDB binds a transaction to the calling thread: all writes (append, apply, compact, snapshot, conflicts,
/// epoch) come from one thread, the agent's storage thread. Reads may come from any thread.
/// A file that fails the checks of <see cref="DatabaseFileCheck"/>, or any query at open, is refused with a
/// <see cref="StorageException"/> that names it; the file is not written. The log's layout (segments of changes) is
/// in ControlStateStore.Log.cs.
/// </remarks>
public sealed partial class ControlStateStore : IDisposable
{
    private const string MetaId = "node";
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _log;
    private readonly ILiteCollection<BsonDocument> _state;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly ILiteCollection<BsonDocument> _epochs;
    private readonly ILiteCollection<BsonDocument> _conflicts;
    private readonly List<EpochStart> _history = [];

    // Reused by Apply (storage thread only): a standby's batch of thousands of changes would otherwise allocate
    // a dictionary on the large-object heap every commit, and each of those brings a full collection nearer.
    private readonly Dictionary<string, ChangeEntry> _finalChange = new(StringComparer.Ordinal);
    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(2);
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.SupportsRecursion);
    private LiteDbCommitPath? _commits;

    private ControlStateStore(string path, LiteDatabase db)
    {
        Path = path;
        _db = db;
        _log = db.GetCollection("log");
        _state = db.GetCollection("state");
        _meta = db.GetCollection("meta");
        _epochs = db.GetCollection("epochs");
        _conflicts = db.GetCollection("conflicts");
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>This node's epoch (the newest takeover it made or learned of).</summary>
    public ulong Epoch { get; private set; }

    /// <summary>Epoch of the last applied change (0 when none).</summary>
    public ulong LastEpoch { get; private set; }

    /// <summary>Sequence of the last applied change (0 when none).</summary>
    public ulong LastSequence { get; private set; }

    /// <summary>Which epoch wrote which part of the log.</summary>
    public IReadOnlyList<EpochStart> History => _history;

    /// <summary>Persists <paramref name="epoch"/> (durably, before it is announced).</summary>
    public void SaveEpoch(ulong epoch)
    {
        if (epoch == Epoch)
        {
            return;
        }

        InTransaction(() => WriteMeta(epoch, LastEpoch, LastSequence));
        Epoch = epoch;
    }

    /// <summary>The pair's maintenance setting as this node last held it (on or off), and its version: kept across
    /// restarts, so that a node that comes back neither forgets maintenance nor brings back one turned off since.</summary>
    public bool Maintenance { get; private set; }

    /// <summary>The version of <see cref="Maintenance"/> (0: never set).</summary>
    public uint MaintenanceVersion { get; private set; }

    /// <summary>Persists the pair's maintenance setting (durably).</summary>
    public void SaveMaintenance(bool on, uint version)
    {
        if (on == Maintenance && version == MaintenanceVersion)
        {
            return;
        }

        var (oldOn, oldVersion) = (Maintenance, MaintenanceVersion);
        (Maintenance, MaintenanceVersion) = (on, version);
        try
        {
            InTransaction(() => WriteMeta(Epoch, LastEpoch, LastSequence));
        }
        catch
        {
            (Maintenance, MaintenanceVersion) = (oldOn, oldVersion);
            throw;
        }
    }

    /// <summary>
    /// Appends a batch of writes made by the active in <paramref name="epoch"/> and applies them, in one
    /// transaction (group commit). Returns the entries with their sequences.
    /// </summary>
    public IReadOnlyList<ChangeEntry> Append(ulong epoch, IReadOnlyList<(string Key, string? Value)> writes, long timeUnixMs)
    {
        var entries = Sequence(epoch, writes, timeUnixMs);
        Apply(entries);
        return entries;
    }

    /// <summary>
    /// The entries that <paramref name="writes"/> become when appended next, without writing them: the active
    /// hands them to the standby while its own commit of the same entries (<see cref="Apply"/>) runs.
    /// </summary>
    /// <exception cref="ArgumentException">A key or value breaks the rule of <see cref="ControlStateRules"/>.</exception>
    public ChangeEntry[] Sequence(ulong epoch, IReadOnlyList<(string Key, string? Value)> writes, long timeUnixMs)
    {
        CheckWrites(writes);
        var entries = new ChangeEntry[writes.Count];
        var seq = LastSequence;
        for (var i = 0; i < writes.Count; i++)
        {
            entries[i] = new ChangeEntry(epoch, ++seq, writes[i].Key, writes[i].Value, timeUnixMs);
        }

        return entries;
    }

    /// <summary>
    /// Applies entries that continue the log (the standby's side of replication, and the active's own appends),
    /// in one transaction.
    /// </summary>
    /// <exception cref="InvalidOperationException">The entries do not continue the log without a gap.</exception>
    /// <exception cref="ArgumentException">A key or value breaks the rule of <see cref="ControlStateRules"/>; nothing is written.</exception>
    public void Apply(IReadOnlyList<ChangeEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        CheckEntries(entries);

        var expected = LastSequence + 1;
        foreach (var e in entries)
        {
            if (e.Sequence != expected++)
            {
                throw new InvalidOperationException($"change {e.Sequence} does not follow {expected - 2}: the log must have no gaps");
            }
        }

        var newHistory = new List<EpochStart>();
        var lastEpoch = _history.Count > 0 ? _history[^1].Epoch : 0;
        foreach (var e in entries)
        {
            if (e.Epoch != lastEpoch)
            {
                newHistory.Add(new EpochStart(e.Epoch, e.Sequence));
                lastEpoch = e.Epoch;
            }
        }

        var last = entries[^1];

        // Within one batch only the last change of each key shapes the state: the log keeps every change.
        var finalChange = _finalChange;
        finalChange.Clear();
        foreach (var e in entries)
        {
            finalChange[e.Key] = e;
        }

        var inserted = new List<BsonDocument>(1);
        InTransaction(() =>
        {
            foreach (var segment in Segments(entries))
            {
                _log.Insert(segment);
                inserted.Add(segment);
            }

            foreach (var e in finalChange.Values)
            {
                ApplyToState(e);
            }

            foreach (var h in newHistory)
            {
                _epochs.Upsert(new BsonDocument { ["_id"] = (long)h.Epoch, ["first"] = (long)h.FirstSequence });
            }

            // The position is the log's last entry, which this transaction writes: the meta document is written
            // only when the epoch moves on (one page less per commit, and LiteDB checkpoints a fifth less often).
            if (last.Epoch > Epoch)
            {
                WriteMeta(last.Epoch, last.Epoch, last.Sequence);
            }
        });
        _history.AddRange(newHistory);
        foreach (var segment in inserted)
        {
            TrackSegment(segment);
        }

        Epoch = Math.Max(Epoch, last.Epoch);
        LastEpoch = last.Epoch;
        LastSequence = last.Sequence;
    }

    /// <summary>The current value of <paramref name="key"/>, or null.</summary>
    public StateRow? Get(string key) => Reading(() => _state.FindById(key) is { } doc ? Row(doc) : null);

    /// <summary>Every key and value, optionally only keys starting with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<StateRow> List(string? prefix = null) => Reading(() =>
        _state.FindAll().Select(Row).Where(r => prefix is null || r.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray());

    /// <summary>Number of keys in the state.</summary>
    public int Count => Reading(() => _state.Count());

    /// <summary>The state as rows for a snapshot: each key with the change that last wrote it.</summary>
    public IReadOnlyList<ChangeEntry> SnapshotRows() => Reading(() =>
        _state.FindAll().Select(d => new ChangeEntry((ulong)d["e"].AsInt64, (ulong)d["s"].AsInt64, d["_id"].AsString, d["v"].AsString, d["t"].AsInt64)).ToArray());

    /// <summary>
    /// Replaces state and log with a snapshot taken at (<paramref name="lastEpoch"/>, <paramref name="lastSequence"/>),
    /// in one transaction. The log restarts empty after that point.
    /// </summary>
    public void InstallSnapshot(ulong lastEpoch, ulong lastSequence, IReadOnlyList<EpochStart> history, IReadOnlyList<ChangeEntry> rows)
    {
        InTransaction(() =>
        {
            _state.DeleteAll();
            _log.DeleteAll();
            _epochs.DeleteAll();
            foreach (var r in rows.Where(r => r.Value is not null))
            {
                _state.Insert(new BsonDocument
                {
                    ["_id"] = r.Key,
                    ["v"] = r.Value,
                    ["e"] = (long)r.Epoch,
                    ["s"] = (long)r.Sequence,
                    ["t"] = r.TimeUnixMs,
                });
            }

            foreach (var h in history)
            {
                _epochs.Upsert(new BsonDocument { ["_id"] = (long)h.Epoch, ["first"] = (long)h.FirstSequence });
            }

            WriteMeta(Math.Max(Epoch, lastEpoch), lastEpoch, lastSequence, needsSnapshot: false);
        });
        NeedsSnapshot = false;
        IndexSegmentSizes();
        _history.Clear();
        _history.AddRange(history);
        Epoch = Math.Max(Epoch, lastEpoch);
        LastEpoch = lastEpoch;
        LastSequence = lastSequence;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _db.Dispose();
        _commits?.Dispose();
    }

    private ulong EpochAt(ulong sequence) => _history.LastOrDefault(h => h.FirstSequence <= sequence).Epoch;

    private void ApplyToState(ChangeEntry e)
    {
        if (e.Value is null)
        {
            _state.Delete(e.Key);
            return;
        }

        _state.Upsert(new BsonDocument
        {
            ["_id"] = e.Key,
            ["v"] = e.Value,
            ["e"] = (long)e.Epoch,
            ["s"] = (long)e.Sequence,
            ["t"] = e.TimeUnixMs,
        });
    }

    private void WriteMeta(ulong epoch, ulong lastEpoch, ulong lastSequence, bool? needsSnapshot = null) =>
        _meta.Upsert(new BsonDocument
        {
            ["_id"] = MetaId,
            ["epoch"] = (long)epoch,
            ["lastEpoch"] = (long)lastEpoch,
            ["lastSeq"] = (long)lastSequence,
            ["needsSnapshot"] = needsSnapshot ?? NeedsSnapshot,
            ["maintenance"] = Maintenance,
            ["maintenanceVersion"] = (long)MaintenanceVersion,
        });

    private void InTransaction(Action body)
    {
        // Readers on other threads wait for the whole commit, flush included: LiteDB read pages that a commit was still
        // writing ("page type must be collection page" on a standby applying entries while the socket listed keys).
        _gate.EnterWriteLock();
        try
        {
            if (!_db.BeginTrans())
            {
                throw new InvalidOperationException("a LiteDB transaction is already open on this thread");
            }

            try
            {
                body();
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }

            _commits?.Durable();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>Runs a read between commits; a commit that holds the database for over <see cref="ReadWait"/> (a
    /// stalled disk) makes the read fail with a clear error instead of waiting for it.</summary>
    private T Reading<T>(Func<T> read)
    {
        if (!_gate.TryEnterReadLock(ReadWait))
        {
            throw new StorageException($"database {Path} is busy: a commit has held it for over {ReadWait.TotalSeconds:F0} s (a stalled disk?)");
        }

        try
        {
            return read();
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    private static StateRow Row(BsonDocument d) =>
        new(d["_id"].AsString, d["v"].AsString, (ulong)d["e"].AsInt64, (ulong)d["s"].AsInt64, d["t"].AsInt64);
}
