using FsCheck;
using FsCheck.Fluent;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>Generators of byte arrays that stress COBS: uniform bytes, many zeros, and long non-zero runs.</summary>
internal static class Bytes
{
    public static readonly Gen<byte> Any = Gen.Choose(0, 255).Select(i => (byte)i);

    public static readonly Gen<byte> ZeroRich = Gen.Frequency((1, Gen.Constant((byte)0)), (2, Any));

    public static readonly Gen<byte> NonZero = Gen.Choose(1, 255).Select(i => (byte)i);

    /// <summary>Arrays of <paramref name="min"/> to <paramref name="max"/> bytes of one of the three kinds.</summary>
    public static Gen<byte[]> Array(int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.OneOf(Gen.ArrayOf(Any, n), Gen.ArrayOf(ZeroRich, n), Gen.ArrayOf(NonZero, n)));

    public static Arbitrary<byte[]> ArbitraryOf(int min, int max) => Arb.From(Array(min, max));

    /// <summary>A non-zero payload of <paramref name="length"/> bytes whose CRC has no zero byte either,
    /// so that the framed payload + CRC is one unbroken non-zero run.</summary>
    public static byte[] NonZeroRunWithNonZeroCrc(int length)
    {
        var payload = new byte[length];
        for (var seed = 0; seed < 256; seed++)
        {
            for (var i = 0; i < length; i++)
            {
                payload[i] = (byte)(((i * 31) + seed) % 255 + 1);
            }

            var crc = BitConverter.GetBytes(Crc32.Compute(payload));
            if (!crc.Contains((byte)0))
            {
                return payload;
            }
        }

        throw new InvalidOperationException("no payload found");
    }

    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[SerialFraming.MaxEncoded];
        var n = SerialFraming.Encode(payload, buffer);
        return buffer[..n];
    }
}
