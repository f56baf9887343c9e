using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>Serial framing (payload + CRC, COBS, zero delimiter) and the deframer's resynchronisation.</summary>
public sealed class SerialFramingTests
{
    private static readonly byte[] HeartbeatLike = Convert.FromHexString(
        "0101A1B2C3D442030164000001020304050607081112131415161718212223243132333435363738000102030405060708090A0B0C0D0E0F");

    [Property(MaxTest = 300)]
    public Property AnyNonEmptyPayloadUpTo250Bytes_RoundTrips() =>
        Prop.ForAll(Bytes.ArbitraryOf(1, SerialFraming.MaxPayload), payload =>
        {
            var sink = new RecordingSink();

            new SerialDeframer().Feed(Bytes.Frame(payload), sink);

            Assert.Empty(sink.Errors);
            Assert.Equal(payload, Assert.Single(sink.Frames));
        });

    [Fact]
    public void EmptyPayload_RoundTrips()
    {
        var sink = new RecordingSink();

        new SerialDeframer().Feed(Bytes.Frame([]), sink);

        Assert.Empty(sink.Errors);
        Assert.Empty(Assert.Single(sink.Frames));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(SerialFraming.MaxPayload)]
    public void AllZeroPayload_RoundTrips(int length)
    {
        var payload = new byte[length];
        var sink = new RecordingSink();

        var frame = Bytes.Frame(payload);
        new SerialDeframer().Feed(frame, sink);

        Assert.Equal(0, frame[^1]);
        Assert.DoesNotContain((byte)0, frame[..^1]);
        Assert.Equal(payload, Assert.Single(sink.Frames));
    }

    [Fact]
    public void MaxPayloadWithoutZeros_MakesA254PlusRunAndRoundTrips()
    {
        var payload = Bytes.NonZeroRunWithNonZeroCrc(SerialFraming.MaxPayload);
        var sink = new RecordingSink();

        var frame = Bytes.Frame(payload);
        new SerialDeframer().Feed(frame, sink);

        Assert.InRange(frame.Length, 256, SerialFraming.MaxEncoded);
        Assert.Equal(payload, Assert.Single(sink.Frames));
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public void PayloadOverMax_IsRefused()
    {
        var buffer = new byte[1024];

        Assert.Throws<ArgumentException>(() => SerialFraming.Encode(new byte[SerialFraming.MaxPayload + 1], buffer));
    }

    [Fact]
    public void BackToBackDelimiters_AreIdleLineNotErrors()
    {
        var sink = new RecordingSink();

        new SerialDeframer().Feed([0, 0, 0, 0], sink);

        Assert.Empty(sink.Events);
    }

    [Fact]
    public void JoiningMidFrame_LosesOnlyThatFrame()
    {
        var first = Bytes.Frame(HeartbeatLike);
        var second = Bytes.Frame([1, 2, 3, 0, 5]);
        var sink = new RecordingSink();

        new SerialDeframer().Feed([.. first[(first.Length / 2)..], .. second], sink);

        Assert.Single(sink.Errors);
        Assert.Equal([1, 2, 3, 0, 5], Assert.Single(sink.Frames));
    }

    [Fact]
    public void OverlongRunWithoutDelimiter_IsMalformedAndNextFrameRecovered()
    {
        var garbage = Enumerable.Repeat((byte)0x55, 1000).ToArray();
        var sink = new RecordingSink();

        new SerialDeframer().Feed([.. garbage, 0, .. Bytes.Frame(HeartbeatLike)], sink);

        Assert.Equal([DropReason.Malformed], sink.Errors);
        Assert.Equal(HeartbeatLike, Assert.Single(sink.Frames));
    }

    [Fact]
    public void EveryFlippedBitInAFrame_IsAFramingErrorAndTheNextFrameIsRecovered()
    {
        byte[] next = [9, 8, 7, 0, 0, 6];
        var frame = Bytes.Frame(HeartbeatLike);
        var following = Bytes.Frame(next);
        for (var index = 0; index < frame.Length - 1; index++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var corrupted = (byte[])frame.Clone();
                corrupted[index] ^= (byte)(1 << bit);
                var sink = new RecordingSink();

                new SerialDeframer().Feed([.. corrupted, .. following], sink);

                Assert.True(sink.Errors.Count > 0, $"no error for byte {index} bit {bit}");
                Assert.All(sink.Errors, e => Assert.True(e is DropReason.BadCrc or DropReason.Malformed, $"{e} for byte {index} bit {bit}"));
                Assert.Equal(next, Assert.Single(sink.Frames));
            }
        }
    }

    [Fact]
    public void FlippedCrcBit_IsBadCrc()
    {
        var frame = Bytes.Frame([0x10, 0x20, 0x30, 0x40]);
        frame[^2] ^= 0x04; // inside the CRC, which contains no zero here, so the COBS structure is intact
        var sink = new RecordingSink();

        new SerialDeframer().Feed(frame, sink);

        Assert.Equal([DropReason.BadCrc], sink.Errors);
        Assert.Empty(sink.Frames);
    }

    [Property(MaxTest = 200)]
    public Property GarbageBeforeAndBetweenFrames_NeverThrowsAndEveryFrameAfterADelimiterIsRecovered() =>
        Prop.ForAll(
            Arb.From(Gen.ListOf(Gen.Zip(Bytes.Array(0, 400), Bytes.Array(1, SerialFraming.MaxPayload)))),
            pieces =>
            {
                var stream = new List<byte>();
                foreach (var (garbage, payload) in pieces)
                {
                    stream.AddRange(garbage);
                    stream.Add(0);
                    stream.AddRange(Bytes.Frame(payload));
                }

                var sink = new RecordingSink();
                new SerialDeframer().Feed([.. stream], sink);

                AssertSubsequence(pieces.Select(p => p.Item2).ToList(), sink.Frames);
            });

    [Property(MaxTest = 100)]
    public Property FeedingByteByByte_ReportsTheSameAsOneChunk() =>
        Prop.ForAll(
            Arb.From(Gen.ListOf(Gen.Zip(Bytes.Array(0, 30), Bytes.Array(1, 60)))),
            pieces =>
            {
                var stream = pieces.SelectMany(p => p.Item1.Concat(Bytes.Frame(p.Item2))).ToArray();
                var whole = new RecordingSink();
                var single = new RecordingSink();

                new SerialDeframer().Feed(stream, whole);
                var deframer = new SerialDeframer();
                foreach (var b in stream)
                {
                    deframer.Feed([b], single);
                }

                Assert.Equal(whole.Events, single.Events);
            });

    [Fact]
    public void FeedingByteByByte_ReportsTheSameAsOneChunk_ForAFixedStream()
    {
        byte[] stream = [0x42, 0x13, 0, .. Bytes.Frame(HeartbeatLike), 0x07, 0, .. Bytes.Frame([0, 0, 1]), 0, 0, .. Bytes.Frame([5])];
        var whole = new RecordingSink();
        var single = new RecordingSink();

        new SerialDeframer().Feed(stream, whole);
        var deframer = new SerialDeframer();
        foreach (var b in stream)
        {
            deframer.Feed([b], single);
        }

        Assert.Equal(3, whole.Frames.Count);
        Assert.Equal(whole.Events, single.Events);
    }

    [Fact]
    public void EncodeAndDeframe_AfterWarmUp_AllocateNothing()
    {
        var encoded = new byte[SerialFraming.MaxEncoded];
        var deframer = new SerialDeframer();
        var sink = new CountingSink();
        for (var i = 0; i < 1000; i++)
        {
            var n = SerialFraming.Encode(HeartbeatLike, encoded);
            deframer.Feed(encoded.AsSpan(0, n), sink);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var n = SerialFraming.Encode(HeartbeatLike, encoded);
            deframer.Feed(encoded.AsSpan(0, n), sink);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2000, sink.Frames);
    }

    private static void AssertSubsequence(IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual)
    {
        var at = 0;
        foreach (var frame in actual)
        {
            if (at < expected.Count && frame.AsSpan().SequenceEqual(expected[at]))
            {
                at++;
            }
        }

        Assert.True(at == expected.Count, $"recovered {at} of {expected.Count} valid frames in order");
    }

    private sealed class CountingSink : IFrameSink
    {
        public int Frames { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> payload) => Frames++;

        public void OnFramingError(DropReason reason)
        {
        }
    }
}
