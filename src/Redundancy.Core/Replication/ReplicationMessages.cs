using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Redundancy.Core.Replication;

/// <summary>
/// Payloads of the replication messages, big-endian, carried in frames of the <see cref="ReplicationChannelCodec"/>:
/// <list type="table">
/// <item><term>Resume</term><description>lastEpoch u64, lastSequence u64, history, flags u8 (bit 0: the standby needs a
/// snapshot whatever the histories say; absent in the payload of an older standby: 0)</description></item>
/// <item><term>Entries</term><description>count u32, entry * count</description></item>
/// <item><term>Ack</term><description>sequence u64</description></item>
/// <item><term>SnapshotBegin</term><description>lastEpoch u64, lastSequence u64, history, entryCount u64</description></item>
/// <item><term>SnapshotChunk</term><description>as Entries: one entry per live key, with the epoch, sequence and time of
/// that key's last write</description></item>
/// <item><term>SnapshotEnd</term><description>empty</description></item>
/// <item><term>Diverged</term><description>commonSequence u64</description></item>
/// </list>
/// history = count u32, (epoch u64, firstSequence u64) * count, valid as <see cref="CommonPoint.IsValidHistory"/> says.
/// entry = epoch u64, sequence u64, timeUnixMs i64, key length u16 + UTF-8 (1 to <see cref="MaxKeyBytes"/> bytes),
/// value length i32 (-1 for a tombstone) + UTF-8 (up to <see cref="MaxValueBytes"/> bytes).
/// </summary>
/// <remarks>
/// Writers put the payload at the start of <c>destination</c> and return its length; size the buffer with the matching
/// <c>...Length</c> function (or <see cref="MaxEntryLength"/>), and pass
/// <see cref="ReplicationChannelCodec.PayloadArea"/> to build a frame in place. They throw
/// <see cref="ArgumentException"/> on values the protocol cannot carry or too small a buffer, and allocate nothing.
/// Readers never throw on bad input: they return <see cref="ReplicationRefusal.Malformed"/> (wrong length, a field out
/// of range, invalid UTF-8, trailing bytes); they allocate only the decoded strings and messages. Thread-safe.
/// </remarks>
public static class ReplicationMessages
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = State.ControlStateRules.MaxKeyBytes;

    /// <summary>The longest value, in UTF-8 bytes (64 KiB).</summary>
    public const int MaxValueBytes = State.ControlStateRules.MaxValueBytes;

    /// <summary>Bytes of an entry besides its key and value.</summary>
    public const int EntryFixedLength = 8 + 8 + 8 + 2 + 4;

    /// <summary>Bytes of the largest entry.</summary>
    public const int MaxEntryLength = EntryFixedLength + MaxKeyBytes + MaxValueBytes;

    /// <summary>Bytes of an Ack or Diverged payload.</summary>
    public const int SequencePayloadLength = 8;

    private const int HistoryItemLength = 16;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Bytes <paramref name="entry"/> takes in an Entries or SnapshotChunk payload.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyBytes"/>, the value longer than
    /// <see cref="MaxValueBytes"/>, or either is not valid UTF-16.</exception>
    public static int EntryLength(ChangeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return EntryFixedLength + KeyBytes(entry.Key) + (entry.Value is null ? 0 : ValueBytes(entry.Value));
    }

    /// <summary>Bytes of an Entries or SnapshotChunk payload holding <paramref name="entries"/>.</summary>
    public static int EntriesLength(IReadOnlyList<ChangeEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var length = 4L;
        for (var i = 0; i < entries.Count; i++)
        {
            length += EntryLength(entries[i]);
        }

        return length <= int.MaxValue ? (int)length : throw new ArgumentException("too many entries for one payload", nameof(entries));
    }

    /// <summary>Writes an Entries (or SnapshotChunk) payload; returns its length.</summary>
    public static int WriteEntries(IReadOnlyList<ChangeEntry> entries, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(entries);
        RequireRoom(destination, EntriesLength(entries));
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)entries.Count);
        var at = 4;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var slot = destination[at..];
            BinaryPrimitives.WriteUInt64BigEndian(slot, entry.Epoch);
            BinaryPrimitives.WriteUInt64BigEndian(slot[8..], entry.Sequence);
            BinaryPrimitives.WriteInt64BigEndian(slot[16..], entry.TimeUnixMs);
            var keyLength = Strict.GetBytes(entry.Key, slot[26..]);
            BinaryPrimitives.WriteUInt16BigEndian(slot[24..], (ushort)keyLength);
            var valueAt = 26 + keyLength;
            var valueLength = entry.Value is null ? 0 : Strict.GetBytes(entry.Value, slot[(valueAt + 4)..]);
            BinaryPrimitives.WriteInt32BigEndian(slot[valueAt..], entry.Value is null ? -1 : valueLength);
            at += valueAt + 4 + valueLength;
        }

        return at;
    }

    /// <summary>Reads an Entries (or SnapshotChunk) payload, appending its entries to <paramref name="into"/>; on a
    /// refusal <paramref name="into"/> is left as it was.</summary>
    public static ReplicationRefusal TryReadEntries(ReadOnlySpan<byte> payload, List<ChangeEntry> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (payload.Length < 4)
        {
            return ReplicationRefusal.Malformed;
        }

        var count = BinaryPrimitives.ReadUInt32BigEndian(payload);
        if (count > (uint)((payload.Length - 4) / (EntryFixedLength + 1)))
        {
            return ReplicationRefusal.Malformed;
        }

        var start = into.Count;
        var rest = payload[4..];
        for (var i = 0u; i < count; i++)
        {
            if (!TryReadEntry(ref rest, out var entry))
            {
                into.RemoveRange(start, into.Count - start);
                return ReplicationRefusal.Malformed;
            }

            into.Add(entry);
        }

        if (!rest.IsEmpty)
        {
            into.RemoveRange(start, into.Count - start);
            return ReplicationRefusal.Malformed;
        }

        return ReplicationRefusal.None;
    }

    /// <summary>Writes an Ack payload; returns <see cref="SequencePayloadLength"/>.</summary>
    public static int WriteAck(ulong sequence, Span<byte> destination) => WriteSequence(sequence, destination);

    /// <summary>Reads an Ack payload.</summary>
    public static ReplicationRefusal TryReadAck(ReadOnlySpan<byte> payload, out ulong sequence) => TryReadSequence(payload, out sequence);

    /// <summary>Writes a Diverged payload; returns <see cref="SequencePayloadLength"/>.</summary>
    public static int WriteDiverged(ulong commonSequence, Span<byte> destination) => WriteSequence(commonSequence, destination);

    /// <summary>Reads a Diverged payload.</summary>
    public static ReplicationRefusal TryReadDiverged(ReadOnlySpan<byte> payload, out ulong commonSequence) =>
        TryReadSequence(payload, out commonSequence);

    /// <summary>Reads a SnapshotEnd payload (it must be empty).</summary>
    public static ReplicationRefusal TryReadSnapshotEnd(ReadOnlySpan<byte> payload) =>
        payload.IsEmpty ? ReplicationRefusal.None : ReplicationRefusal.Malformed;

    /// <summary>Bytes of the Resume payload of <paramref name="message"/>.</summary>
    public static int ResumeLength(ResumeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return 16 + HistoryLength(message.History) + 1;
    }

    /// <summary>Writes a Resume payload; returns its length.</summary>
    /// <exception cref="ArgumentException">An invalid history, or too small a destination.</exception>
    public static int WriteResume(ResumeMessage message, Span<byte> destination)
    {
        RequireRoom(destination, ResumeLength(message));
        BinaryPrimitives.WriteUInt64BigEndian(destination, message.LastEpoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], message.LastSequence);
        var at = 16 + WriteHistory(message.History, destination[16..]);
        destination[at] = message.NeedsSnapshot ? (byte)1 : (byte)0;
        return at + 1;
    }

    /// <summary>Reads a Resume payload (with or without the flags byte).</summary>
    public static ReplicationRefusal TryReadResume(ReadOnlySpan<byte> payload, out ResumeMessage? message)
    {
        message = null;
        if (payload.Length < 16 || !TryReadHistory(payload[16..], out var history, out var used)
            || (16 + used != payload.Length && (16 + used + 1 != payload.Length || payload[^1] > 1)))
        {
            return ReplicationRefusal.Malformed;
        }

        var needsSnapshot = 16 + used < payload.Length && payload[^1] == 1;
        message = new ResumeMessage(BinaryPrimitives.ReadUInt64BigEndian(payload), BinaryPrimitives.ReadUInt64BigEndian(payload[8..]), history, needsSnapshot);
        return ReplicationRefusal.None;
    }

    /// <summary>Bytes of the SnapshotBegin payload of <paramref name="message"/>.</summary>
    public static int SnapshotBeginLength(SnapshotBeginMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return 16 + HistoryLength(message.History) + 8;
    }

    /// <summary>Writes a SnapshotBegin payload; returns its length.</summary>
    /// <exception cref="ArgumentException">An invalid history, or too small a destination.</exception>
    public static int WriteSnapshotBegin(SnapshotBeginMessage message, Span<byte> destination)
    {
        RequireRoom(destination, SnapshotBeginLength(message));
        BinaryPrimitives.WriteUInt64BigEndian(destination, message.LastEpoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], message.LastSequence);
        var at = 16 + WriteHistory(message.History, destination[16..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[at..], message.EntryCount);
        return at + 8;
    }

    /// <summary>Reads a SnapshotBegin payload.</summary>
    public static ReplicationRefusal TryReadSnapshotBegin(ReadOnlySpan<byte> payload, out SnapshotBeginMessage? message)
    {
        message = null;
        if (payload.Length < 24 || !TryReadHistory(payload[16..^8], out var history, out var used) || 16 + used + 8 != payload.Length)
        {
            return ReplicationRefusal.Malformed;
        }

        message = new SnapshotBeginMessage(
            BinaryPrimitives.ReadUInt64BigEndian(payload),
            BinaryPrimitives.ReadUInt64BigEndian(payload[8..]),
            history,
            BinaryPrimitives.ReadUInt64BigEndian(payload[^8..]));
        return ReplicationRefusal.None;
    }

    private static bool TryReadEntry(ref ReadOnlySpan<byte> rest, out ChangeEntry entry)
    {
        entry = null!;
        if (rest.Length < EntryFixedLength)
        {
            return false;
        }

        var keyLength = BinaryPrimitives.ReadUInt16BigEndian(rest[24..]);
        if (keyLength is 0 or > MaxKeyBytes || rest.Length < EntryFixedLength + keyLength)
        {
            return false;
        }

        var key = rest.Slice(26, keyLength);
        var valueLength = BinaryPrimitives.ReadInt32BigEndian(rest[(26 + keyLength)..]);
        var valueAt = 26 + keyLength + 4;
        if (valueLength is < -1 or > MaxValueBytes || rest.Length - valueAt < Math.Max(valueLength, 0))
        {
            return false;
        }

        var value = valueLength < 0 ? default : rest.Slice(valueAt, valueLength);
        if (!Utf8.IsValid(key) || !Utf8.IsValid(value))
        {
            return false;
        }

        entry = new ChangeEntry(
            Epoch: BinaryPrimitives.ReadUInt64BigEndian(rest),
            Sequence: BinaryPrimitives.ReadUInt64BigEndian(rest[8..]),
            Key: Encoding.UTF8.GetString(key),
            Value: valueLength < 0 ? null : Encoding.UTF8.GetString(value),
            TimeUnixMs: BinaryPrimitives.ReadInt64BigEndian(rest[16..]));
        rest = rest[(valueAt + Math.Max(valueLength, 0))..];
        return true;
    }

    private static int HistoryLength(IReadOnlyList<EpochStart> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (!CommonPoint.IsValidHistory(history))
        {
            throw new ArgumentException("the history is not sorted, goes back in epoch or starts a sequence at 0", nameof(history));
        }

        var length = 4L + ((long)history.Count * HistoryItemLength);
        return length <= int.MaxValue / 2 ? (int)length : throw new ArgumentException("the history is too long", nameof(history));
    }

    private static int WriteHistory(IReadOnlyList<EpochStart> history, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)history.Count);
        var at = 4;
        for (var i = 0; i < history.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[at..], history[i].Epoch);
            BinaryPrimitives.WriteUInt64BigEndian(destination[(at + 8)..], history[i].FirstSequence);
            at += HistoryItemLength;
        }

        return at;
    }

    private static bool TryReadHistory(ReadOnlySpan<byte> source, out IReadOnlyList<EpochStart> history, out int used)
    {
        history = [];
        used = 0;
        if (source.Length < 4)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadUInt32BigEndian(source);
        if (count > (uint)((source.Length - 4) / HistoryItemLength))
        {
            return false;
        }

        var items = new EpochStart[count];
        for (var i = 0; i < items.Length; i++)
        {
            var at = 4 + (i * HistoryItemLength);
            items[i] = new EpochStart(BinaryPrimitives.ReadUInt64BigEndian(source[at..]), BinaryPrimitives.ReadUInt64BigEndian(source[(at + 8)..]));
        }

        if (!CommonPoint.IsValidHistory(items))
        {
            return false;
        }

        history = items;
        used = 4 + (items.Length * HistoryItemLength);
        return true;
    }

    private static int WriteSequence(ulong sequence, Span<byte> destination)
    {
        RequireRoom(destination, SequencePayloadLength);
        BinaryPrimitives.WriteUInt64BigEndian(destination, sequence);
        return SequencePayloadLength;
    }

    private static ReplicationRefusal TryReadSequence(ReadOnlySpan<byte> payload, out ulong sequence)
    {
        sequence = 0;
        if (payload.Length != SequencePayloadLength)
        {
            return ReplicationRefusal.Malformed;
        }

        sequence = BinaryPrimitives.ReadUInt64BigEndian(payload);
        return ReplicationRefusal.None;
    }

    private static int KeyBytes(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = key.Length == 0 ? 0 : key.Length > MaxKeyBytes ? int.MaxValue : Strict.GetByteCount(key);
        return bytes is >= 1 and <= MaxKeyBytes
            ? bytes
            : throw new ArgumentException($"a key must be 1 to {MaxKeyBytes} UTF-8 bytes", nameof(key));
    }

    private static int ValueBytes(string value)
    {
        // A string longer than the limit in chars is longer in bytes too; do not count a huge one.
        var bytes = value.Length > MaxValueBytes ? int.MaxValue : Strict.GetByteCount(value);
        return bytes <= MaxValueBytes
            ? bytes
            : throw new ArgumentException($"a value must be at most {MaxValueBytes} UTF-8 bytes", nameof(value));
    }

    private static void RequireRoom(Span<byte> destination, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"the destination needs {length} bytes", nameof(destination));
        }
    }
}
