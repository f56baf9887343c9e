using System.Globalization;
using LiteDB;
using Redundancy.Core.Replication;

namespace Redundancy.Edges.Storage;

/// <summary>Opening: checks that refuse a damaged or foreign file before LiteDB may write to it, and the load.</summary>
public sealed partial class ControlStateStore
{
    /// <summary>What a person does with a database this store refuses; every refusal ends with it.</summary>
    private const string RecoverySteps = "stop the agent, move the file aside and let the node resync from its peer";

    /// <summary>Opens or creates the database at <paramref name="path"/>.</summary>
    /// <exception cref="StorageException">The file is corrupt or unreadable; it was not modified.</exception>
    public static ControlStateStore Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full) && DatabaseFileCheck.Problem(full) is { } problem)
        {
            throw new StorageException($"database {full} {problem}. It was left untouched; to recover, {RecoverySteps}");
        }

        LiteDatabase? db = null;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            if (File.Exists(full))
            {
                // Read every page once, read-only, before LiteDB may write to the file: with garbage pages, a
                // read-write open alone was seen to change the file before any query failed.
                using var check = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct, ReadOnly = true });
                if (check.Collation.SortOptions != CompareOptions.Ordinal)
                {
                    throw new StorageException($"database {full} was created with collation {check.Collation}, under which keys that differ only in case are one key; this agent needs {Collation.Binary}. It was left untouched; to recover, {RecoverySteps}");
                }

                new ControlStateStore(full, check).Load(readEverything: true);
            }

            // Keys compare byte for byte: LiteDB's default collation ignores case, which made "Pump" and "pump"
            // one key. The collation is fixed when the file is created; a file with another one is refused.
            db = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct, Collation = Collation.Binary });
            var store = new ControlStateStore(full, db);
            store.Load(readEverything: false);
            store.IndexSegmentSizes();
            try
            {
                store._commits = LiteDbCommitPath.Attach(db, full);
            }
            catch (NotSupportedException)
            {
                db.Dispose();
                throw;
            }

            return store;
        }
        catch (Exception ex) when (ex is LiteException or ArgumentException or InvalidCastException or IOException
            or UnauthorizedAccessException or InvalidOperationException or FormatException or NullReferenceException or IndexOutOfRangeException)
        {
            db?.Dispose();
            throw new StorageException($"database {full} cannot be used ({ex.GetType().Name}: {ex.Message}). It was left as it is; to recover, {RecoverySteps}", ex);
        }
    }

    /// <summary>
    /// Opens the database at <paramref name="path"/> read-only, for a node whose database failed: it answers reads
    /// (get, list, conflicts, status) from what was committed, and never writes, so it opens on a full disk too.
    /// </summary>
    /// <exception cref="StorageException">The file cannot be read.</exception>
    public static ControlStateStore OpenReadOnly(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        LiteDatabase? db = null;
        try
        {
            db = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct, ReadOnly = true, Collation = Collation.Binary });
            var store = new ControlStateStore(full, db);
            store.Load(readEverything: false);
            store.IndexSegmentSizes();
            return store;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            db?.Dispose();
            throw new StorageException($"database {full} cannot be opened to read ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }

    private void Load(bool readEverything)
    {
        // Every collection is read once: garbage pages surface here, not at the first takeover.
        var meta = _meta.FindById(MetaId);
        if (meta is not null)
        {
            Epoch = (ulong)meta["epoch"].AsInt64;
            LastEpoch = (ulong)meta["lastEpoch"].AsInt64;
            LastSequence = (ulong)meta["lastSeq"].AsInt64;
            NeedsSnapshot = meta["needsSnapshot"].IsBoolean && meta["needsSnapshot"].AsBoolean;
            Maintenance = meta["maintenance"].IsBoolean && meta["maintenance"].AsBoolean;
            MaintenanceVersion = meta["maintenanceVersion"].IsNumber ? (uint)Math.Clamp(meta["maintenanceVersion"].AsInt64, 0, uint.MaxValue) : 0;
        }

        var decoded = new List<ChangeEntry>();
        _history.AddRange(_epochs.FindAll().Select(d => new EpochStart((ulong)d["_id"].AsInt64, (ulong)d["first"].AsInt64)).OrderBy(h => h.FirstSequence));
        if (readEverything)
        {
            foreach (var collection in new[] { _state, _log, _conflicts, _epochs, _meta })
            {
                foreach (var doc in collection.FindAll())
                {
                    _ = doc["_id"];
                    if (collection == _log)
                    {
                        Decode(doc, decoded);
                    }
                }
            }
        }
        // The position is the log's last entry, or the meta document's when that is further on (the log was
        // compacted to nothing, replaced by a snapshot, or rewound to a common point and is shorter).
        var lastInLog = _log.Find(Query.All("_id", Query.Descending), limit: 1).FirstOrDefault();
        if (lastInLog is null)
        {
            return;
        }

        Decode(lastInLog, decoded);
        var newest = decoded[^1];
        if (newest.Sequence > LastSequence)
        {
            LastSequence = newest.Sequence;
            LastEpoch = newest.Epoch;
            Epoch = Math.Max(Epoch, LastEpoch);
        }
    }
}
