using LiteDB;
using Redundancy.Core.Replication;

namespace Redundancy.Edges.Storage;

/// <summary>The change log's layout: segments, and reading, compacting and cutting them.</summary>
/// <remarks>
/// The log is stored in segments: one document per commit (split at <see cref="SegmentEntries"/> entries or
/// <see cref="SegmentBytes"/>), <c>{ _id: first sequence, last: last sequence, entries: binary }</c>, the entries
/// (epoch, sequence, time, key, value or tombstone each) encoded as in the replication stream's Entries message
/// (<see cref="ReplicationMessages"/>). LiteDB pays most of a write per document and index node, and most of a read per
/// field: a document per change cost 6-7 µs of CPU to write and allocated 1.9 KiB to read back, a segment about 1 µs
/// and the entry's own strings, which decides how fast a standby catches up and how often the active collects while
/// it sends. Segments follow each other without gaps, so the one holding a sequence is the last whose <c>_id</c> is not
/// above it, and a segment holds <c>last - _id + 1</c> entries. A segment that does not decode is reported as a
/// damaged database.
/// </remarks>
public sealed partial class ControlStateStore
{
    /// <summary>Most entries in one log segment.</summary>
    public const int SegmentEntries = 1000;

    /// <summary>Most bytes of encoded entries in one log segment, unless one entry alone is larger: below the runtime's
    /// large-object threshold (85,000 bytes), so writing or reading a segment never allocates on that heap.</summary>
    public const int SegmentBytes = 64 * 1024;

    /// <summary>Sequence of the oldest entry still in the log, or 0 when the log is empty.</summary>
    public ulong FirstInLog => Reading(() => _log.Find(Query.All("_id", Query.Ascending), limit: 1).FirstOrDefault() is { } first ? (ulong)first["_id"].AsInt64 : 0UL);

    /// <summary>Up to <paramref name="max"/> log entries from <paramref name="from"/> on, in order.</summary>
    public IReadOnlyList<ChangeEntry> ReadLog(ulong from, int max) => Reading(() => ReadLogUnlocked(from, max));

    /// <summary>
    /// Writes the log from <paramref name="first"/> on into <paramref name="destination"/> as one Entries payload of
    /// the replication stream (its layout is the segments' own), whole segments still encoded, as many as fit and as
    /// <paramref name="maxEntries"/> allows; returns its length and last sequence, or zeros when no segment starts at
    /// <paramref name="first"/> (a catch-up that starts inside one sends its rest first: <see cref="ReadSegmentFrom"/>).
    /// Decoding 100k entries into objects and encoding them again was most of what the active allocated in a
    /// catch-up, and the collections that followed stopped its heartbeats for 20 ms and more.
    /// </summary>
    /// <exception cref="StorageException">A segment is not one this store wrote: the database is damaged.</exception>
    public (int Length, ulong Last) ReadSegments(ulong first, byte[] destination, int maxEntries) => Reading(() =>
    {
        var at = 4;
        var count = 0L;
        var expected = first;
        foreach (var segment in _log.Find(Query.GTE("_id", (long)first)))
        {
            if (!segment["_id"].IsInt64 || (ulong)segment["_id"].AsInt64 != expected)
            {
                break; // the first does not start at `first`, or a gap: nothing more in one piece
            }

            if (!segment["last"].IsInt64 || !segment["entries"].IsBinary || segment["entries"].AsBinary is not { Length: >= 4 } payload
                || segment["last"].AsInt64 < (long)expected
                || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload) != (ulong)(segment["last"].AsInt64 - (long)expected + 1))
            {
                throw new StorageException($"database {Path}: change log segment {expected} is damaged or in a layout this agent does not read. To recover, {RecoverySteps}");
            }

            var entries = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload);
            if (count > 0 && (at + payload.Length - 4 > destination.Length || count + entries > maxEntries))
            {
                break;
            }

            if (at + payload.Length - 4 > destination.Length)
            {
                throw new ArgumentException($"a log segment of {payload.Length} bytes does not fit a message of {destination.Length}", nameof(destination));
            }

            payload.AsSpan(4).CopyTo(destination.AsSpan(at));
            at += payload.Length - 4;
            count += entries;
            expected = (ulong)segment["last"].AsInt64 + 1;
        }

        if (count == 0)
        {
            return (0, 0UL);
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)count);
        return (at, expected - 1);
    });

    /// <summary>The entries from <paramref name="from"/> to the end of the segment that holds it (empty when none does):
    /// where a catch-up starts inside a segment, so that it goes on with whole segments (<see cref="ReadSegments"/>).</summary>
    public IReadOnlyList<ChangeEntry> ReadSegmentFrom(ulong from) => Reading<IReadOnlyList<ChangeEntry>>(() =>
        ReadSegmentHolding(from) is { } entries ? entries.Where(e => e.Sequence >= from).ToArray() : []);

    private List<ChangeEntry> ReadLogUnlocked(ulong from, int max)
    {
        var result = new List<ChangeEntry>(Math.Min(max, SegmentEntries));
        var decoded = new List<ChangeEntry>();
        foreach (var segment in _log.Find(Query.GTE("_id", (long)SegmentStart(from))))
        {
            Decode(segment, decoded);
            foreach (var e in decoded)
            {
                if (e.Sequence >= from)
                {
                    if (result.Count == max)
                    {
                        return result;
                    }

                    result.Add(e);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Deletes the log segments whose entries are all at or below <paramref name="upTo"/> (the state keeps their
    /// effect); a segment that reaches past it stays whole. Returns how many entries went.
    /// </summary>
    public int Compact(ulong upTo)
    {
        var removed = 0;
        var doomed = _log.Find(Query.LTE("_id", (long)upTo)).Where(segment => (ulong)segment["last"].AsInt64 <= upTo).ToArray();
        if (doomed.Length == 0)
        {
            return 0; // no transaction (and no disk flush) when nothing goes
        }

        InTransaction(() =>
        {
            foreach (var segment in doomed)
            {
                removed += (int)(segment["last"].AsInt64 - segment["_id"].AsInt64 + 1);
                _log.Delete(segment["_id"]);
            }

            WriteMeta(Epoch, LastEpoch, LastSequence); // the position survives a log compacted to nothing
        });
        ForgetSegmentsUpTo(upTo);
        return removed;
    }

    /// <summary>The log segments for <paramref name="entries"/>, which follow each other.</summary>
    private static IEnumerable<BsonDocument> Segments(IReadOnlyList<ChangeEntry> entries)
    {
        var start = 0;
        var part = new List<ChangeEntry>();
        while (start < entries.Count)
        {
            part.Clear();
            var bytes = 4; // the count
            var i = start;
            for (; i < entries.Count && part.Count < SegmentEntries; i++)
            {
                var length = ReplicationMessages.EntryLength(entries[i]);
                if (part.Count > 0 && bytes + length > SegmentBytes)
                {
                    break;
                }

                part.Add(entries[i]);
                bytes += length;
            }

            var encoded = new byte[bytes];
            ReplicationMessages.WriteEntries(part, encoded);
            yield return new BsonDocument
            {
                ["_id"] = (long)entries[start].Sequence,
                ["last"] = (long)entries[i - 1].Sequence,
                ["entries"] = encoded,
            };
            start = i;
        }
    }

    /// <summary>Decodes the entries of <paramref name="segment"/> into <paramref name="into"/> (cleared first).</summary>
    /// <exception cref="StorageException">The segment is not one this store wrote: the database is damaged.</exception>
    private void Decode(BsonDocument segment, List<ChangeEntry> into)
    {
        into.Clear();
        if (!segment["_id"].IsInt64 || !segment["last"].IsInt64 || !segment["entries"].IsBinary
            || ReplicationMessages.TryReadEntries(segment["entries"].AsBinary, into) != ReplicationRefusal.None
            || into.Count == 0 || into[0].Sequence != (ulong)segment["_id"].AsInt64 || into[^1].Sequence != (ulong)segment["last"].AsInt64)
        {
            var id = segment["_id"].IsInt64 ? segment["_id"].AsInt64.ToString(System.Globalization.CultureInfo.InvariantCulture) : segment["_id"].ToString();
            throw new StorageException($"database {Path}: change log segment {id} is damaged or in a layout this agent does not read (an earlier build wrote one document per change). To recover, {RecoverySteps}");
        }
    }

    /// <summary>First sequence of the segment that holds <paramref name="sequence"/> (or would: the sequence
    /// itself when no segment starts at or below it).</summary>
    private ulong SegmentStart(ulong sequence) =>
        _log.Query().Where(Query.LTE("_id", (long)sequence)).OrderByDescending("_id").Limit(1).FirstOrDefault() is { } segment
            ? (ulong)segment["_id"].AsInt64
            : sequence;

    /// <summary>The entries of the segment that holds <paramref name="sequence"/>, or null.</summary>
    private List<ChangeEntry>? ReadSegmentHolding(ulong sequence)
    {
        if (_log.FindById((long)SegmentStart(sequence)) is not { } segment || (ulong)segment["last"].AsInt64 < sequence)
        {
            return null;
        }

        var entries = new List<ChangeEntry>();
        Decode(segment, entries);
        return entries;
    }
}
