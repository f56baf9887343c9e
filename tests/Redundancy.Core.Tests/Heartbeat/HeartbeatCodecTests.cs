using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>The authenticated frame format: every field survives, every tampering is caught and named.</summary>
public sealed class HeartbeatCodecTests : IDisposable
{
    private const uint PairId = 0xA1B2C3D4;
    private const byte OwnNodeId = 0x11;
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    private static readonly HeartbeatFrame Sample = new(
        PairId: PairId,
        NodeId: 0x42,
        Role: Role.Maintenance,
        Priority: 0xC8,
        Readiness: Readiness.Warm,
        Health: (HealthFlags)0xBE2F,
        Epoch: 0x0102030405060708,
        LastAppliedSequence: 0x1112131415161718,
        SendIntervalMicros: 0x21222324,
        Instance: 0x3132333435363738,
        Counter: 0x4142434445464748,
        EchoInstance: 0x5152535455565758,
        EchoCounter: 0x6162636465666768,
        ServiceLevel: 0xDC,
        Mode: RedundancyMode.BackupReady,
        MaintenanceVersion: 0x71727374,
        HandoverUid: 0x01020304);

    private readonly HeartbeatCodec _codec = new(Key);

    public static TheoryData<int> BodyAndTagIndexes => [.. Enumerable.Range(0, HeartbeatCodec.FrameLength)];

    public void Dispose() => _codec.Dispose();

    [Fact]
    public void Encode_WritesFrameLengthBytesWithVersionTypeAndBigEndianFields()
    {
        var buffer = new byte[HeartbeatCodec.FrameLength + 10];

        var n = _codec.Encode(Sample, buffer);

        Assert.Equal(HeartbeatCodec.FrameLength, n);
        Assert.Equal(90, n);
        Assert.Equal(HeartbeatCodec.Version, buffer[0]);
        Assert.Equal(HeartbeatCodec.TypeHeartbeat, buffer[1]);
        Assert.Equal(new byte[] { 0xA1, 0xB2, 0xC3, 0xD4 }, buffer[2..6]);
        Assert.Equal(0x42, buffer[6]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, buffer[12..20]);
        Assert.Equal(new byte[] { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38 }, buffer[32..40]);
        Assert.Equal(new byte[] { 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48 }, buffer[40..48]);
        Assert.Equal(new byte[] { 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58 }, buffer[48..56]);
        Assert.Equal(new byte[] { 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68 }, buffer[56..64]);
        Assert.Equal(0xDC, buffer[64]);
        Assert.Equal((byte)RedundancyMode.BackupReady, buffer[65]);
        Assert.Equal(new byte[] { 0x71, 0x72, 0x73, 0x74 }, buffer[66..70]);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffer[70..74]);
    }

    [Fact]
    public void UnknownRedundancyMode_IsMalformed()
    {
        var buffer = Encode(Sample with { Mode = (RedundancyMode)9 });

        Assert.Equal(DropReason.Malformed, _codec.TryDecode(buffer, PairId, out _));
    }

    [Fact]
    public void EncodeThenDecode_EveryFieldRoundTrips()
    {
        var buffer = Encode(Sample);

        var reason = _codec.TryDecode(buffer, PairId, out var frame);

        Assert.Equal(DropReason.None, reason);
        Assert.Equal(Sample.PairId, frame.PairId);
        Assert.Equal(Sample.NodeId, frame.NodeId);
        Assert.Equal(Sample.Role, frame.Role);
        Assert.Equal(Sample.Priority, frame.Priority);
        Assert.Equal(Sample.Readiness, frame.Readiness);
        Assert.Equal(Sample.Health, frame.Health);
        Assert.Equal(Sample.Epoch, frame.Epoch);
        Assert.Equal(Sample.LastAppliedSequence, frame.LastAppliedSequence);
        Assert.Equal(Sample.SendIntervalMicros, frame.SendIntervalMicros);
        Assert.Equal(Sample.Instance, frame.Instance);
        Assert.Equal(Sample.Counter, frame.Counter);
        Assert.Equal(Sample.EchoInstance, frame.EchoInstance);
        Assert.Equal(Sample.EchoCounter, frame.EchoCounter);
        Assert.Equal(Sample, frame);
    }

    [Theory]
    [InlineData(Role.Starting, Readiness.NotReady)]
    [InlineData(Role.Standby, Readiness.Hot)]
    [InlineData(Role.Active, Readiness.Warm)]
    [InlineData(Role.Faulted, Readiness.NotReady)]
    [InlineData(Role.Stopping, Readiness.Hot)]
    public void EncodeThenDecode_EveryRoleAndReadinessRoundTrips(Role role, Readiness readiness)
    {
        var sent = Sample with { Role = role, Readiness = readiness, Epoch = ulong.MaxValue, Counter = ulong.MaxValue, EchoCounter = 0 };

        var reason = _codec.TryDecode(Encode(sent), PairId, out var frame);

        Assert.Equal(DropReason.None, reason);
        Assert.Equal(sent, frame);
    }

    [Theory]
    [MemberData(nameof(BodyAndTagIndexes))]
    public void TamperedByte_IsDroppedForTheReasonCheckedFirst(int index)
    {
        var buffer = Encode(Sample);
        buffer[index] ^= 0x01;
        var expected = index switch
        {
            0 => DropReason.UnknownVersion,
            1 => DropReason.Malformed, // the message type is checked with the length, before the tag
            >= 2 and <= 5 => DropReason.OtherPair,
            _ => DropReason.BadTag,
        };

        var reason = _codec.TryDecode(buffer, PairId, out var frame);

        Assert.Equal(expected, reason);
        Assert.Equal(default, frame);
    }

    [Fact]
    public void WrongKey_IsBadTag()
    {
        var buffer = Encode(Sample);
        var otherKey = (byte[])Key.Clone();
        otherKey[^1] ^= 0x80;
        using var other = new HeartbeatCodec(otherKey);

        var reason = other.TryDecode(buffer, PairId, out _);

        Assert.Equal(DropReason.BadTag, reason);
    }

    [Fact]
    public void OtherPairIdExpected_IsOtherPair()
    {
        var reason = _codec.TryDecode(Encode(Sample), PairId + 1, out _);

        Assert.Equal(DropReason.OtherPair, reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(HeartbeatCodec.FrameLength - 1)]
    [InlineData(HeartbeatCodec.FrameLength + 1)]
    [InlineData(200)]
    public void WrongLength_IsMalformed(int length)
    {
        var whole = Encode(Sample);
        var buffer = new byte[length];
        whole.AsSpan(0, Math.Min(length, whole.Length)).CopyTo(buffer);
        if (length > 0)
        {
            buffer[0] = HeartbeatCodec.Version;
        }

        var reason = _codec.TryDecode(buffer, PairId, out _);

        Assert.Equal(DropReason.Malformed, reason);
    }

    [Fact]
    public void OwnNodeId_IsDecodedForTheReceiverToJudgeByInstance()
    {
        var reason = _codec.TryDecode(Encode(Sample with { NodeId = OwnNodeId }), PairId, out var frame);

        Assert.Equal(DropReason.None, reason);
        Assert.Equal(OwnNodeId, frame.NodeId);
    }

    [Fact]
    public void PeekPairId_NamesThePairOfAForeignFrame()
    {
        Assert.Equal(PairId, HeartbeatCodec.PeekPairId(Encode(Sample)));
        Assert.Null(HeartbeatCodec.PeekPairId(new byte[] { HeartbeatCodec.Version, 1, 2 }));
    }

    [Fact]
    public void AuthenticFrameWithNodeIdZero_IsMalformed()
    {
        var reason = _codec.TryDecode(Encode(Sample with { NodeId = 0 }), PairId, out _);

        Assert.Equal(DropReason.Malformed, reason);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(7, 2)]
    [InlineData(3, 3)]
    public void AuthenticFrameWithUnknownRoleOrReadiness_IsMalformed(byte role, byte readiness)
    {
        var reason = _codec.TryDecode(Encode(Sample with { Role = (Role)role, Readiness = (Readiness)readiness }), PairId, out _);

        Assert.Equal(DropReason.Malformed, reason);
    }

    [Fact]
    public void ShortKey_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new HeartbeatCodec(new byte[15]));
    }

    [Fact]
    public void DestinationTooSmall_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => _codec.Encode(Sample, new byte[HeartbeatCodec.FrameLength - 1]));
    }

    [Fact]
    public void EncodeAndDecode_AfterWarmUp_AllocateNothingPerFrame()
    {
        const int frames = 20_000;
        var buffer = new byte[HeartbeatCodec.FrameLength];
        var sink = 0UL;
        for (var i = 0; i < frames; i++)
        {
            sink += EncodeDecode(buffer, (ulong)i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < frames; i++)
        {
            sink += EncodeDecode(buffer, (ulong)i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Any allocation per frame would be at least 24 bytes x 20,000. The runtime itself may allocate a few
        // hundred bytes once on this thread (tiered compilation), which is not the codec's.
        Assert.True(allocated < frames, $"{allocated} bytes allocated over {frames} frames");
        Assert.NotEqual(0UL, sink);
    }

    private ulong EncodeDecode(byte[] buffer, ulong counter)
    {
        var sent = Sample with { Counter = counter };
        _codec.Encode(sent, buffer);
        return _codec.TryDecode(buffer, PairId, out var frame) == DropReason.None ? frame.Counter + 1 : 0;
    }

    private byte[] Encode(HeartbeatFrame frame)
    {
        var buffer = new byte[HeartbeatCodec.FrameLength];
        _codec.Encode(frame, buffer);
        return buffer;
    }
}
