using LiteDB;

namespace Redundancy.Edges.Storage;

/// <summary>After a split brain: this node's unseen entries moved aside for audit, and the rewind.</summary>
public sealed partial class ControlStateStore
{
    /// <summary>
    /// After a split brain: moves this node's log entries after <paramref name="commonSequence"/> (which the new
    /// active never saw) into the conflicts collection, with the time they were moved, and rewinds the position to
    /// the common point. The state still holds their effect until the node resyncs with a snapshot: until then
    /// <see cref="NeedsSnapshot"/> is true, persisted in the same transaction.
    /// Returns how many were moved.
    /// </summary>
    public int MoveToConflicts(ulong commonSequence, long nowUnixMs)
    {
        var moved = ReadLog(commonSequence + 1, int.MaxValue);

        // The segment holding the first moved entry may begin with entries up to the common point: those stay.
        var split = moved.Count == 0 ? [] : ReadSegmentHolding(moved[0].Sequence) ?? [];
        var kept = split.Where(e => e.Sequence <= commonSequence).ToArray();
        var common = kept.LastOrDefault() ?? ReadSegmentHolding(commonSequence)?.FirstOrDefault(e => e.Sequence == commonSequence);
        var commonEpoch = commonSequence == 0 ? 0 : common?.Epoch ?? EpochAt(commonSequence);
        InTransaction(() =>
        {
            foreach (var e in moved)
            {
                _conflicts.Insert(new BsonDocument
                {
                    ["e"] = (long)e.Epoch,
                    ["s"] = (long)e.Sequence,
                    ["k"] = e.Key,
                    ["v"] = e.Value is null ? BsonValue.Null : new BsonValue(e.Value),
                    ["t"] = e.TimeUnixMs,
                    ["moved"] = nowUnixMs,
                });
            }

            if (split.Count > 0)
            {
                _log.DeleteMany(Query.GTE("_id", (long)split[0].Sequence));
                foreach (var segment in Segments(kept))
                {
                    _log.Insert(segment);
                }
            }

            _epochs.DeleteMany(Query.GT("first", (long)commonSequence));

            // In the same transaction as the rewind: the state still holds the moved entries' effect, and only a
            // snapshot removes it. A resync interrupted before that snapshot asks for it again on reconnect.
            WriteMeta(Epoch, commonEpoch, commonSequence, needsSnapshot: true);
        });
        NeedsSnapshot = true;
        IndexSegmentSizes();
        _history.RemoveAll(h => h.FirstSequence > commonSequence);
        LastEpoch = commonEpoch;
        LastSequence = commonSequence;
        return moved.Count;
    }

    /// <summary>Every change kept for audit after a split brain, oldest first.</summary>
    public IReadOnlyList<ConflictRow> Conflicts() => Reading(() =>
        _conflicts.FindAll().Select(d => new ConflictRow(
            (ulong)d["e"].AsInt64, (ulong)d["s"].AsInt64, d["k"].AsString, d["v"].IsNull ? null : d["v"].AsString, d["t"].AsInt64, d["moved"].AsInt64))
        .OrderBy(c => c.MovedAtUnixMs).ThenBy(c => c.Sequence).ToArray());
}
