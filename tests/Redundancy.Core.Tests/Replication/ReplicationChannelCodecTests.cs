using System.Buffers.Binary;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Frames after the handshake: authentic, in order, in one direction, within the size limit.</summary>
public sealed class ReplicationChannelCodecTests : IDisposable
{
    private static readonly byte[] SessionKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 5 + 1))];
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 40).Select(i => (byte)(i * 3))];

    private readonly ReplicationChannelCodec _serverSends = new(SessionKey, ReplicationDirection.ServerToClient);
    private readonly ReplicationChannelCodec _clientReceives = new(SessionKey, ReplicationDirection.ServerToClient);
    private readonly ReplicationChannelCodec _clientSends = new(SessionKey, ReplicationDirection.ClientToServer);
    private readonly ReplicationChannelCodec _serverReceives = new(SessionKey, ReplicationDirection.ClientToServer);

    public static TheoryData<int> FrameIndexes => [.. Enumerable.Range(0, Payload.Length + ReplicationChannelCodec.Overhead)];

    public void Dispose()
    {
        _serverSends.Dispose();
        _clientReceives.Dispose();
        _clientSends.Dispose();
        _serverReceives.Dispose();
    }

    [Fact]
    public void Frame_HasTheDocumentedLayout()
    {
        var frame = Frame(_serverSends, ReplicationMessageType.Entries, Payload);

        Assert.Equal(Payload.Length + 29, frame.Length);
        Assert.Equal((uint)(frame.Length - 4), BinaryPrimitives.ReadUInt32BigEndian(frame));
        Assert.Equal((byte)ReplicationMessageType.Entries, frame[4]);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(5)));
        Assert.Equal(Payload, frame[13..^16]);
    }

    [Fact]
    public void Tag_IsTheTruncatedHmacOfDirectionCounterTypeAndPayload()
    {
        var frame = Frame(_serverSends, ReplicationMessageType.Diverged, Payload.AsSpan(0, 8));

        Assert.Equal(frame, Retag(frame, ReplicationDirection.ServerToClient));
        Assert.NotEqual(frame, Retag(frame, ReplicationDirection.ClientToServer));
    }

    [Fact]
    public void Frames_RoundTripInOrderWithCountersOneTwoThree()
    {
        for (var i = 1; i <= 3; i++)
        {
            var frame = Frame(_serverSends, ReplicationMessageType.Entries, Payload.AsSpan(0, i * 10));

            Assert.Equal(ReplicationRefusal.None, _clientReceives.TryDecode(frame, out var type, out var payload));
            Assert.Equal(ReplicationMessageType.Entries, type);
            Assert.Equal(Payload[..(i * 10)], payload.ToArray());
            Assert.Equal((ulong)i, _clientReceives.LastAccepted);
        }
    }

    [Fact]
    public void EmptyPayload_RoundTrips()
    {
        var frame = Frame(_serverSends, ReplicationMessageType.SnapshotEnd, []);

        Assert.Equal(ReplicationRefusal.None, _clientReceives.TryDecode(frame, out var type, out var payload));
        Assert.Equal(ReplicationMessageType.SnapshotEnd, type);
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void SealInPlace_MakesTheSameFrameAsEncode()
    {
        using var other = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient);
        var buffer = new byte[200];
        Payload.CopyTo(ReplicationChannelCodec.PayloadArea(buffer));

        var n = other.Seal(ReplicationMessageType.Entries, Payload.Length, buffer);

        Assert.Equal(Frame(_serverSends, ReplicationMessageType.Entries, Payload), buffer[..n]);
    }

    [Theory]
    [MemberData(nameof(FrameIndexes))]
    public void AnySingleByteTampered_IsRefused(int index)
    {
        var frame = Frame(_serverSends, ReplicationMessageType.Entries, Payload);
        foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
        {
            using var receiver = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient);
            var tampered = (byte[])frame.Clone();
            tampered[index] ^= mask;

            var refusal = receiver.TryDecode(tampered, out _, out _);

            if (index < ReplicationChannelCodec.LengthPrefix)
            {
                Assert.Contains(refusal, new[] { ReplicationRefusal.Malformed, ReplicationRefusal.TooLarge });
            }
            else
            {
                Assert.Equal(ReplicationRefusal.BadTag, refusal);
            }

            Assert.Equal(0UL, receiver.LastAccepted);
        }
    }

    [Fact]
    public void TamperedFrameRefused_TheGenuineOneIsStillAccepted()
    {
        var frame = Frame(_serverSends, ReplicationMessageType.Entries, Payload);
        var tampered = (byte[])frame.Clone();
        tampered[20] ^= 1;

        Assert.Equal(ReplicationRefusal.BadTag, _clientReceives.TryDecode(tampered, out _, out _));
        Assert.Equal(ReplicationRefusal.None, _clientReceives.TryDecode(frame, out _, out _));
    }

    [Fact]
    public void ReplayedFrame_IsRefused()
    {
        var first = Frame(_serverSends, ReplicationMessageType.Entries, Payload);
        var second = Frame(_serverSends, ReplicationMessageType.Entries, Payload);
        Assert.Equal(ReplicationRefusal.None, _clientReceives.TryDecode(first, out _, out _));
        Assert.Equal(ReplicationRefusal.None, _clientReceives.TryDecode(second, out _, out _));

        Assert.Equal(ReplicationRefusal.Replayed, _clientReceives.TryDecode(second, out _, out _));
        Assert.Equal(ReplicationRefusal.Replayed, _clientReceives.TryDecode(first, out _, out _));
        Assert.Equal(2UL, _clientReceives.LastAccepted);
    }

    [Fact]
    public void RemovedFrame_IsRefusedAsSkipped()
    {
        _ = Frame(_serverSends, ReplicationMessageType.Entries, Payload);
        var second = Frame(_serverSends, ReplicationMessageType.Entries, Payload);

        Assert.Equal(ReplicationRefusal.Skipped, _clientReceives.TryDecode(second, out _, out _));
    }

    [Fact]
    public void FrameReflectedBackToItsSender_IsRefusedAsBadTag()
    {
        var ack = new byte[8];
        ReplicationMessages.WriteAck(5, ack);
        var fromClient = Frame(_clientSends, ReplicationMessageType.Ack, ack);
        var fromServer = Frame(_serverSends, ReplicationMessageType.Entries, Payload);

        // The client's own receiver (server-to-client) gets the client's frame, and the server's its own.
        Assert.Equal(ReplicationRefusal.BadTag, _clientReceives.TryDecode(fromClient, out _, out _));
        Assert.Equal(ReplicationRefusal.BadTag, _serverReceives.TryDecode(fromServer, out _, out _));
        Assert.Equal(ReplicationRefusal.None, _serverReceives.TryDecode(fromClient, out var type, out _));
        Assert.Equal(ReplicationMessageType.Ack, type);
    }

    [Fact]
    public void FrameUnderAnotherSessionKey_IsRefusedAsBadTag()
    {
        var otherKey = (byte[])SessionKey.Clone();
        otherKey[0] ^= 1;
        using var stranger = new ReplicationChannelCodec(otherKey, ReplicationDirection.ServerToClient);

        Assert.Equal(ReplicationRefusal.BadTag, _clientReceives.TryDecode(Frame(stranger, ReplicationMessageType.Entries, Payload), out _, out _));
    }

    [Fact]
    public void LengthAboveTheLimit_IsRefusedAsTooLargeFromThePrefixAlone()
    {
        using var small = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient, ReplicationMessages.MaxEntryLength + 4);
        var prefix = new byte[4];

        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)(small.MaxFrameLength - 4));
        Assert.Equal(ReplicationRefusal.None, small.TryReadFrameLength(prefix, out var length));
        Assert.Equal(small.MaxFrameLength, length);

        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)(small.MaxFrameLength - 3));
        Assert.Equal(ReplicationRefusal.TooLarge, small.TryReadFrameLength(prefix, out _));
        BinaryPrimitives.WriteUInt32BigEndian(prefix, uint.MaxValue);
        Assert.Equal(ReplicationRefusal.TooLarge, small.TryReadFrameLength(prefix, out _));
    }

    [Fact]
    public void LengthBelowTheSmallestFrame_IsRefusedAsMalformed()
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 24);

        Assert.Equal(ReplicationRefusal.Malformed, _clientReceives.TryReadFrameLength(prefix, out _));
        Assert.Equal(ReplicationRefusal.Malformed, _clientReceives.TryReadFrameLength(prefix.AsSpan(0, 3), out _));
    }

    [Fact]
    public void FrameFromALargerLimitSender_IsRefusedAsTooLarge()
    {
        using var big = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient, 2 * ReplicationMessages.MaxEntryLength);
        using var small = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient, ReplicationMessages.MaxEntryLength + 4);

        var frame = Frame(big, ReplicationMessageType.Entries, new byte[ReplicationMessages.MaxEntryLength + 5]);

        Assert.Equal(ReplicationRefusal.TooLarge, small.TryDecode(frame, out _, out _));
    }

    [Fact]
    public void PayloadAboveTheLimit_CannotBeSealed()
    {
        using var small = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient, ReplicationMessages.MaxEntryLength + 4);
        var buffer = new byte[small.MaxFrameLength + 1];

        Assert.Throws<ArgumentOutOfRangeException>(() => small.Seal(ReplicationMessageType.Entries, small.MaxPayloadLength + 1, buffer));
        Assert.Equal(0UL, small.LastSent);
    }

    [Theory]
    [InlineData(ReplicationDirection.ServerToClient, ReplicationMessageType.Ack)]
    [InlineData(ReplicationDirection.ServerToClient, ReplicationMessageType.Resume)]
    [InlineData(ReplicationDirection.ClientToServer, ReplicationMessageType.Entries)]
    [InlineData(ReplicationDirection.ClientToServer, ReplicationMessageType.Diverged)]
    [InlineData(ReplicationDirection.ClientToServer, (ReplicationMessageType)99)]
    public void TypeThatDoesNotTravelThisWay_CannotBeSent(ReplicationDirection direction, ReplicationMessageType type)
    {
        using var codec = new ReplicationChannelCodec(SessionKey, direction);

        Assert.Throws<ArgumentException>(() => codec.Encode(type, Payload, new byte[200]));
        Assert.Equal(0UL, codec.LastSent);
    }

    [Fact]
    public void AuthenticFrameOfATypeThatDoesNotTravelThisWay_IsRefusedAsMalformed()
    {
        // Built by hand as a peer that disagrees on the directions would, with a correct tag.
        var buffer = new byte[8 + ReplicationChannelCodec.Overhead];
        using (var forger = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ClientToServer))
        {
            forger.Seal(ReplicationMessageType.Ack, 8, buffer);
        }

        using var honest = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient);
        var retagged = Retag(buffer, ReplicationDirection.ServerToClient);

        Assert.Equal(ReplicationRefusal.Malformed, honest.TryDecode(retagged, out _, out _));
    }

    [Fact]
    public void FrameOfTheWrongLengthForItsPrefix_IsRefusedAsMalformed()
    {
        var frame = Frame(_serverSends, ReplicationMessageType.Entries, Payload);

        Assert.Equal(ReplicationRefusal.Malformed, _clientReceives.TryDecode(frame.AsSpan(0, frame.Length - 1), out _, out _));
        Assert.Equal(ReplicationRefusal.Malformed, _clientReceives.TryDecode([.. frame, 0], out _, out _));
    }

    [Fact]
    public void SmallLimitOrShortKey_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient, 1000));
        Assert.Throws<ArgumentException>(() => new ReplicationChannelCodec(new byte[15], ReplicationDirection.ServerToClient));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicationChannelCodec(SessionKey, (ReplicationDirection)3));
    }

    [Fact]
    public void SteadyState_EncodeAndDecodeAllocateNothing()
    {
        var buffer = new byte[Payload.Length + ReplicationChannelCodec.Overhead];
        Cycle(100);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(2000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        void Cycle(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var n = _serverSends.Encode(ReplicationMessageType.Entries, Payload, buffer);
                if (_clientReceives.TryDecode(buffer.AsSpan(0, n), out _, out _) != ReplicationRefusal.None)
                {
                    throw new InvalidOperationException("refused");
                }
            }
        }
    }

    private static byte[] Frame(ReplicationChannelCodec codec, ReplicationMessageType type, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[payload.Length + ReplicationChannelCodec.Overhead];
        var n = codec.Encode(type, payload, buffer);
        Assert.Equal(buffer.Length, n);
        return buffer;
    }

    /// <summary>Recomputes a frame's tag as if it travelled <paramref name="direction"/> (what only a key holder can do).</summary>
    private static byte[] Retag(byte[] frame, ReplicationDirection direction)
    {
        using var hmac = System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, SessionKey);
        hmac.AppendData([(byte)direction]);
        hmac.AppendData(frame.AsSpan(5, 8));
        hmac.AppendData(frame.AsSpan(4, 1));
        hmac.AppendData(frame.AsSpan(13, frame.Length - 29));
        var copy = (byte[])frame.Clone();
        hmac.GetHashAndReset().AsSpan(0, 16).CopyTo(copy.AsSpan(copy.Length - 16));
        return copy;
    }
}
