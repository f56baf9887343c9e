using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Message payloads: every field survives, every limit holds, bad input is refused, not thrown.</summary>
public sealed class ReplicationMessagesTests
{
    private static readonly EpochStart[] History = [new(1, 1), new(4, 17), new(ulong.MaxValue, ulong.MaxValue)];

    private static readonly ChangeEntry[] Entries =
    [
        new(7, 100, "outputs/pump-1", """{"on":true}""", 1_700_000_000_123),
        new(7, 101, "recipes/größe", null, -5),
        new(ulong.MaxValue, ulong.MaxValue, new string('k', 256), "", long.MinValue),
        new(8, 102, "ключ/😀", "\"😀 ünïcödé\"", long.MaxValue),
    ];

    [Fact]
    public void Entries_RoundTrip()
    {
        var payload = Write(ReplicationMessages.EntriesLength(Entries), d => ReplicationMessages.WriteEntries(Entries, d));
        var decoded = new List<ChangeEntry>();

        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadEntries(payload, decoded));

        Assert.Equal(Entries, decoded);
        Assert.True(decoded[1].IsTombstone);
        Assert.False(decoded[2].IsTombstone);
    }

    [Fact]
    public void NoEntries_RoundTripAsACountOfZero()
    {
        var payload = Write(4, d => ReplicationMessages.WriteEntries([], d));
        var decoded = new List<ChangeEntry>();

        Assert.Equal(new byte[4], payload);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadEntries(payload, decoded));
        Assert.Empty(decoded);
    }

    [Fact]
    public void Entry_HasTheDocumentedLayout()
    {
        ChangeEntry[] one = [new(0x0102, 0x0304, "ab", null, -2)];

        var payload = Write(ReplicationMessages.EntriesLength(one), d => ReplicationMessages.WriteEntries(one, d));

        Assert.Equal(Convert.FromHexString(
            "00000001" + "0000000000000102" + "0000000000000304" + "FFFFFFFFFFFFFFFE" + "0002" + "6162" + "FFFFFFFF"), payload);
        Assert.Equal(ReplicationMessages.EntryFixedLength + 2, ReplicationMessages.EntryLength(one[0]));
    }

    [Fact]
    public void SnapshotChunk_IsTheEntryLayout()
    {
        var payload = Write(ReplicationMessages.EntriesLength(Entries), d => ReplicationMessages.WriteEntries(Entries, d));
        var rows = new List<ChangeEntry>();

        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadEntries(payload, rows));
        Assert.Equal(Entries, rows);
    }

    [Fact]
    public void LargestKeyAndValue_RoundTrip()
    {
        ChangeEntry[] one = [new(1, 1, new string('é', 128), new string('x', ReplicationMessages.MaxValueBytes), 0)];

        var payload = Write(ReplicationMessages.EntriesLength(one), d => ReplicationMessages.WriteEntries(one, d));
        var decoded = new List<ChangeEntry>();

        Assert.Equal(4 + ReplicationMessages.MaxEntryLength, payload.Length);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadEntries(payload, decoded));
        Assert.Equal(one, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("257 bytes")]
    [InlineData("lone surrogate")]
    public void UnsendableKey_Throws(string which)
    {
        var key = which switch
        {
            "" => "",
            "257 bytes" => new string('é', 128) + "x",
            _ => "a\uD800b",
        };

        Assert.ThrowsAny<ArgumentException>(() => ReplicationMessages.EntryLength(new ChangeEntry(1, 1, key, "1", 0)));
    }

    [Fact]
    public void ValueOver64KiB_Throws()
    {
        var entry = new ChangeEntry(1, 1, "k", new string('é', ReplicationMessages.MaxValueBytes / 2) + "x", 0);

        Assert.ThrowsAny<ArgumentException>(() => ReplicationMessages.EntryLength(entry));
        Assert.ThrowsAny<ArgumentException>(() => ReplicationMessages.WriteEntries([entry], new byte[200_000]));
    }

    [Fact]
    public void DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => ReplicationMessages.WriteEntries(Entries, new byte[ReplicationMessages.EntriesLength(Entries) - 1]));
        Assert.Throws<ArgumentException>(() => ReplicationMessages.WriteAck(1, new byte[7]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(257)]
    [InlineData(65535)]
    public void DecodedKeyLengthOutOfRange_IsRefused(int keyLength)
    {
        var payload = Write(ReplicationMessages.EntriesLength([Entries[0]]), d => ReplicationMessages.WriteEntries([Entries[0]], d));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(4 + 24), (ushort)keyLength);

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(payload, []));
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    [InlineData(ReplicationMessages.MaxValueBytes + 1)]
    [InlineData(12)]
    public void DecodedValueLengthOutOfRange_IsRefused(int valueLength)
    {
        var payload = Write(ReplicationMessages.EntriesLength([Entries[0]]), d => ReplicationMessages.WriteEntries([Entries[0]], d));
        var keyLength = Encoding.UTF8.GetByteCount(Entries[0].Key);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4 + 26 + keyLength), valueLength);

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(payload, []));
    }

    [Theory]
    [InlineData(ReplicationMessages.MaxKeyBytes + 1, 1)]
    [InlineData(1, ReplicationMessages.MaxValueBytes + 1)]
    public void OverlongKeyOrValuePresentInFull_IsRefused(int keyBytes, int valueBytes)
    {
        // Handcrafted, since the writer will not produce it: one entry, every byte of key and value there.
        var payload = new byte[4 + ReplicationMessages.EntryFixedLength + keyBytes + valueBytes];
        BinaryPrimitives.WriteUInt32BigEndian(payload, 1);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(4 + 24), (ushort)keyBytes);
        payload.AsSpan(4 + 26, keyBytes).Fill((byte)'k');
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4 + 26 + keyBytes), valueBytes);
        payload.AsSpan(4 + 30 + keyBytes).Fill((byte)'v');

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(payload, []));
    }

    [Fact]
    public void InvalidUtf8InAKeyOrValue_IsRefusedAndNothingIsAppended()
    {
        var payload = Write(ReplicationMessages.EntriesLength(Entries), d => ReplicationMessages.WriteEntries(Entries, d));
        var lastKeyAt = payload.Length - ReplicationMessages.EntryLength(Entries[3]) + 26;
        var badKey = (byte[])payload.Clone();
        badKey[lastKeyAt] = 0xFF;
        var badValue = (byte[])payload.Clone();
        badValue[^1] = 0xC3;
        var into = new List<ChangeEntry> { Entries[0] };

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(badKey, into));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(badValue, into));

        Assert.Equal([Entries[0]], into);
    }

    [Fact]
    public void CountNotMatchingTheEntries_IsRefused()
    {
        var payload = Write(ReplicationMessages.EntriesLength(Entries), d => ReplicationMessages.WriteEntries(Entries, d));
        var more = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(more, (uint)Entries.Length + 1);
        var fewer = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(fewer, (uint)Entries.Length - 1);
        var huge = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(huge, uint.MaxValue);

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(more, []));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(fewer, []));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadEntries(huge, []));
    }

    [Fact]
    public void AckAndDiverged_RoundTrip()
    {
        var ack = Write(8, d => ReplicationMessages.WriteAck(0x0102030405060708, d));
        var diverged = Write(8, d => ReplicationMessages.WriteDiverged(ulong.MaxValue, d));

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, ack);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadAck(ack, out var sequence));
        Assert.Equal(0x0102030405060708UL, sequence);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadDiverged(diverged, out var common));
        Assert.Equal(ulong.MaxValue, common);
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadAck(ack.AsSpan(0, 7), out _));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadDiverged([.. diverged, 0], out _));
    }

    [Fact]
    public void SnapshotEnd_IsEmpty()
    {
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadSnapshotEnd([]));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadSnapshotEnd([0]));
    }

    [Fact]
    public void Resume_RoundTrips()
    {
        var sent = new ResumeMessage(4, 0x1122334455, History);
        var payload = Write(ReplicationMessages.ResumeLength(sent), d => ReplicationMessages.WriteResume(sent, d));

        Assert.Equal(16 + 4 + (16 * History.Length) + 1, payload.Length);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadResume(payload, out var message));
        Assert.Equal((sent.LastEpoch, sent.LastSequence), (message!.LastEpoch, message.LastSequence));
        Assert.Equal(History, message.History);
        Assert.False(message.NeedsSnapshot);
    }

    [Fact]
    public void ResumeOfAStandbyThatNeedsASnapshot_RoundTripsTheFlag()
    {
        var sent = new ResumeMessage(4, 10, History, NeedsSnapshot: true);
        var payload = Write(ReplicationMessages.ResumeLength(sent), d => ReplicationMessages.WriteResume(sent, d));

        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadResume(payload, out var message));
        Assert.True(message!.NeedsSnapshot);
        payload[^1] = 2;
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadResume(payload, out _));
    }

    [Fact]
    public void ResumeWithoutTheFlagsByte_FromAnOlderStandby_IsRead()
    {
        var payload = Write(21, d => ReplicationMessages.WriteResume(new ResumeMessage(0, 0, []), d));

        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadResume(payload.AsSpan(0, 20), out var message));
        Assert.False(message!.NeedsSnapshot);
    }

    [Fact]
    public void ResumeOfAnEmptyLog_RoundTrips()
    {
        var payload = Write(21, d => ReplicationMessages.WriteResume(new ResumeMessage(0, 0, []), d));

        Assert.Equal(new byte[21], payload);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadResume(payload, out var message));
        Assert.Empty(message!.History);
    }

    [Fact]
    public void SnapshotBegin_RoundTrips()
    {
        var sent = new SnapshotBeginMessage(9, 5000, History, 1234);
        var payload = Write(ReplicationMessages.SnapshotBeginLength(sent), d => ReplicationMessages.WriteSnapshotBegin(sent, d));

        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadSnapshotBegin(payload, out var message));
        Assert.Equal((9UL, 5000UL, 1234UL), (message!.LastEpoch, message.LastSequence, message.EntryCount));
        Assert.Equal(History, message.History);
        Assert.Equal(1234UL, BinaryPrimitives.ReadUInt64BigEndian(payload.AsSpan(payload.Length - 8)));
    }

    [Fact]
    public void UnsortedHistory_CannotBeSentAndIsRefusedWhenReceived()
    {
        EpochStart[] unsorted = [new(1, 1), new(2, 9), new(3, 4)];
        Assert.Throws<ArgumentException>(() => ReplicationMessages.ResumeLength(new ResumeMessage(3, 9, unsorted)));

        var payload = Write(ReplicationMessages.ResumeLength(new ResumeMessage(3, 9, History)), d => ReplicationMessages.WriteResume(new ResumeMessage(3, 9, History), d));
        // Swap the first sequences of the last two starts.
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(20 + 16 + 8), ulong.MaxValue);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(20 + 32 + 8), 17);

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadResume(payload, out var message));
        Assert.Null(message);
    }

    [Fact]
    public void HistoryCountNotMatchingThePayload_IsRefused()
    {
        var sent = new SnapshotBeginMessage(9, 5000, History, 1234);
        var payload = Write(ReplicationMessages.SnapshotBeginLength(sent), d => ReplicationMessages.WriteSnapshotBegin(sent, d));
        var more = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(more.AsSpan(16), 4);
        var fewer = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(fewer.AsSpan(16), 2);

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadSnapshotBegin(more, out _));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadSnapshotBegin(fewer, out _));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationMessages.TryReadSnapshotBegin(payload.AsSpan(0, payload.Length - 1), out _));
    }

    [Fact]
    public void WritingEntries_AllocatesNothing()
    {
        var buffer = new byte[ReplicationMessages.EntriesLength(Entries)];
        ReplicationMessages.WriteEntries(Entries, buffer);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            ReplicationMessages.WriteEntries(Entries, buffer);
            ReplicationMessages.WriteAck((ulong)i, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Property(MaxTest = 300)]
    public Property AnyEntries_RoundTrip() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(Wire.Entry)), entries =>
        {
            var payload = Write(ReplicationMessages.EntriesLength(entries), d => ReplicationMessages.WriteEntries(entries, d));
            var decoded = new List<ChangeEntry>();

            Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadEntries(payload, decoded));
            Assert.Equal(entries, decoded);
        });

    private static byte[] Write(int length, Func<byte[], int> write)
    {
        var buffer = new byte[length + 16];
        var n = write(buffer);
        Assert.Equal(length, n);
        return buffer[..n];
    }
}
