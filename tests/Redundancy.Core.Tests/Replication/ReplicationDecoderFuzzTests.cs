using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Redundancy.Core.Tests.Heartbeat;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Whatever arrives on the socket, no decoder throws: it accepts or names a refusal.</summary>
public sealed class ReplicationDecoderFuzzTests
{
    private static readonly byte[] SessionKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(i + 9))];

    [Property(MaxTest = 1000)]
    public Property RandomBytes_NeverThrowFromAnyDecoder() =>
        Prop.ForAll(Bytes.ArbitraryOf(0, 300), DecodeEverywhere);

    [Property(MaxTest = 500)]
    public Property ValidPayloadsWithRandomDamage_NeverThrowFromAnyDecoder() =>
        Prop.ForAll(Arb.From(Gen.Zip(Gen.ArrayOf(Wire.Entry, 3), Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 10_000), Gen.Choose(0, 255)), 4))), input =>
        {
            var (entries, damage) = input;
            var payload = new byte[ReplicationMessages.EntriesLength(entries)];
            ReplicationMessages.WriteEntries(entries, payload);
            foreach (var (at, value) in damage)
            {
                payload[at % payload.Length] = (byte)value;
            }

            DecodeEverywhere(payload);
        });

    [Property(MaxTest = 300)]
    public Property RandomBytesAfterAPlausibleLength_AreRefusedByTheChannel() =>
        Prop.ForAll(Bytes.ArbitraryOf(25, 300), body =>
        {
            var frame = new byte[body.Length + 4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
            body.CopyTo(frame, 4);
            using var codec = new ReplicationChannelCodec(SessionKey, ReplicationDirection.ServerToClient);

            Assert.Equal(ReplicationRefusal.BadTag, codec.TryDecode(frame, out _, out _));
        });

    private static void DecodeEverywhere(byte[] bytes)
    {
        var refusals = new List<ReplicationRefusal>
        {
            ReplicationHandshake.TryDecodeHello(bytes, 1, 1, out _),
            ReplicationHandshake.TryDecodeChallenge(bytes, 1, out _),
            ReplicationHandshake.TryDecodeResponse(bytes, out _),
            ReplicationMessages.TryReadEntries(bytes, []),
            ReplicationMessages.TryReadAck(bytes, out _),
            ReplicationMessages.TryReadDiverged(bytes, out _),
            ReplicationMessages.TryReadResume(bytes, out _),
            ReplicationMessages.TryReadSnapshotBegin(bytes, out _),
            ReplicationMessages.TryReadSnapshotEnd(bytes),
        };
        foreach (var direction in new[] { ReplicationDirection.ServerToClient, ReplicationDirection.ClientToServer })
        {
            using var codec = new ReplicationChannelCodec(SessionKey, direction);
            refusals.Add(codec.TryReadFrameLength(bytes, out _));
            refusals.Add(codec.TryDecode(bytes, out _, out _));
        }

        Assert.All(refusals, r => Assert.True(Enum.IsDefined(r)));
    }
}
