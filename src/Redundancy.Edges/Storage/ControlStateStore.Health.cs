using LiteDB;
using Redundancy.Core.Replication;
using Redundancy.Core.State;

namespace Redundancy.Edges.Storage;

/// <summary>Whether the state is agreed with the active, whether the database can write, and the log's size in bytes.</summary>
public sealed partial class ControlStateStore
{
    // (last sequence, bytes) of each log segment, oldest first; with their total, for the byte bound on retention.
    private readonly List<(ulong Last, int Bytes)> _segmentSizes = [];
    private long _logBytes;

    /// <summary>
    /// The state still holds the effect of entries moved to conflicts after a split brain (see
    /// <see cref="MoveToConflicts"/>): it is not agreed with the active until a snapshot is installed. Persisted.
    /// </summary>
    public bool NeedsSnapshot { get; private set; }

    /// <summary>
    /// Closes a store whose database failed, within <paramref name="bound"/>: LiteDB may block for ever closing an
    /// engine whose writer failed, so the close runs on the thread pool and is abandoned (its thread and file handles
    /// with it) if it does not end in time. Returns whether it ended. Never throws.
    /// </summary>
    public bool DisposeAfterFailure(TimeSpan bound)
    {
        try
        {
            _commits?.ReleaseWaiters();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // best effort
        }

        var close = Task.Run(() =>
        {
            try
            {
                Dispose();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // a failed database may fail to close too; the file is what matters
            }
        });
        return close.Wait(bound);
    }

    /// <summary>Writes and flushes a small probe document: throws when the database cannot commit (a full disk).</summary>
    public void Probe(long nowUnixMs) =>
        InTransaction(() => _meta.Upsert(new BsonDocument { ["_id"] = "probe", ["t"] = nowUnixMs }));

    /// <summary>
    /// The highest sequence that must go from the log for the entries after it to fit in <paramref name="maxBytes"/>
    /// bytes of encoded entries (whole segments, newest kept), or 0 when the log already fits. With
    /// <see cref="Compact"/>: a byte bound on retention, since entries may be up to 64 KiB each.
    /// </summary>
    public ulong ByteRetentionBound(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        lock (_segmentSizes)
        {
            var bytes = _logBytes;
            ulong bound = 0;
            foreach (var (last, size) in _segmentSizes)
            {
                if (bytes <= maxBytes)
                {
                    break;
                }

                bytes -= size;
                bound = last;
            }

            return bound;
        }
    }

    /// <summary>Bytes of encoded entries in the log.</summary>
    public long LogBytes
    {
        get
        {
            lock (_segmentSizes)
            {
                return _logBytes;
            }
        }
    }

    /// <summary>Reads every segment's size once (at open, and after the log was rewritten).</summary>
    private void IndexSegmentSizes()
    {
        lock (_segmentSizes)
        {
            _segmentSizes.Clear();
            _logBytes = 0;
            foreach (var segment in _log.Find(Query.All("_id", Query.Ascending)))
            {
                TrackSegment(segment);
            }
        }
    }

    private void TrackSegment(BsonDocument segment)
    {
        lock (_segmentSizes)
        {
            var size = segment["entries"].AsBinary.Length;
            _segmentSizes.Add(((ulong)segment["last"].AsInt64, size));
            _logBytes += size;
        }
    }

    private void ForgetSegmentsUpTo(ulong upTo)
    {
        lock (_segmentSizes)
        {
            var n = 0;
            while (n < _segmentSizes.Count && _segmentSizes[n].Last <= upTo)
            {
                _logBytes -= _segmentSizes[n].Bytes;
                n++;
            }

            _segmentSizes.RemoveRange(0, n);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the core's rule when a write may not be stored.</summary>
    private static void CheckWrite(string key, string? value)
    {
        if ((ControlStateRules.KeyProblem(key) ?? ControlStateRules.StoredValueProblem(key, value)) is { } problem)
        {
            throw new ArgumentException(problem, nameof(key));
        }
    }

    /// <summary>The entries of <paramref name="writes"/> are checked before any is numbered.</summary>
    private static void CheckWrites(IReadOnlyList<(string Key, string? Value)> writes)
    {
        foreach (var (key, value) in writes)
        {
            CheckWrite(key, value);
        }
    }

    private static void CheckEntries(IReadOnlyList<ChangeEntry> entries)
    {
        foreach (var e in entries)
        {
            CheckWrite(e.Key, e.Value);
        }
    }
}
