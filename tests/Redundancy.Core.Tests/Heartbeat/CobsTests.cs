using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

public sealed class CobsTests
{
    public static TheoryData<string, string> Vectors => new()
    {
        { "00", "0101" },
        { "0000", "010101" },
        { "11220033", "0311220233" },
        { "11223344", "0511223344" },
        { "11000000", "0211010101" },
        { "1122334400556677", "051122334404556677" },
        { "", "01" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void KnownVectors_EncodeAndDecode(string plainHex, string encodedHex)
    {
        var plain = Convert.FromHexString(plainHex);
        var buffer = new byte[Cobs.MaxEncodedLength(plain.Length)];

        var n = Cobs.Encode(plain, buffer);
        var decoded = new byte[plain.Length + 1];
        var m = Cobs.Decode(Convert.FromHexString(encodedHex), decoded);

        Assert.Equal(encodedHex, Convert.ToHexString(buffer, 0, n));
        Assert.Equal(plainHex, Convert.ToHexString(decoded, 0, m));
    }

    [Theory]
    [InlineData(253)]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(508)]
    [InlineData(600)]
    public void LongNonZeroRuns_RoundTripWithoutZerosAndWithinMaxLength(int length)
    {
        var plain = Enumerable.Range(0, length).Select(i => (byte)((i % 255) + 1)).ToArray();
        var encoded = new byte[Cobs.MaxEncodedLength(length)];

        var n = Cobs.Encode(plain, encoded);
        var decoded = new byte[length];
        var m = Cobs.Decode(encoded.AsSpan(0, n), decoded);

        Assert.DoesNotContain((byte)0, encoded[..n]);
        Assert.Equal(plain, decoded[..m]);
    }

    [Fact]
    public void MinimalEncodingOf254NonZeroBytes_FromAnotherEncoder_Decodes()
    {
        var plain = Enumerable.Range(1, 254).Select(i => (byte)i).ToArray();
        byte[] encoded = [0xFF, .. plain];
        var decoded = new byte[300];

        var m = Cobs.Decode(encoded, decoded);

        Assert.Equal(plain, decoded[..m]);
    }

    [Theory]
    [InlineData("00")]         // a zero is never part of an encoded frame
    [InlineData("051122")]     // the code byte promises more bytes than there are
    [InlineData("021100")]
    public void InvalidInput_DecodesToMinusOne(string encodedHex)
    {
        var decoded = new byte[16];

        Assert.Equal(-1, Cobs.Decode(Convert.FromHexString(encodedHex), decoded));
    }

    [Fact]
    public void DestinationTooSmall_DecodesToMinusOneInsteadOfThrowing()
    {
        var decoded = new byte[2];

        Assert.Equal(-1, Cobs.Decode(Convert.FromHexString("0511223344"), decoded));
    }

    [Property(MaxTest = 300)]
    public Property AnyBytes_RoundTripWithoutZerosWithinMaxEncodedLength() =>
        Prop.ForAll(Bytes.ArbitraryOf(0, 1000), plain =>
        {
            var encoded = new byte[Cobs.MaxEncodedLength(plain.Length)];
            var n = Cobs.Encode(plain, encoded);
            var decoded = new byte[plain.Length];
            var m = Cobs.Decode(encoded.AsSpan(0, n), decoded);

            Assert.InRange(n, plain.Length + 1, Cobs.MaxEncodedLength(plain.Length));
            Assert.DoesNotContain((byte)0, encoded[..n]);
            Assert.Equal(plain, decoded[..m]);
        });
}
