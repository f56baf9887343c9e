using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Generators of protocol values: numbers across their whole range, UTF-8 of every width, change entries.</summary>
internal static class Wire
{
    public static readonly Gen<ulong> AnyULong = Gen.Frequency(
        (1, Gen.Elements(0UL, 1UL, ulong.MaxValue, ulong.MaxValue - 1, (ulong)uint.MaxValue + 1)),
        (4, Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue))
            .Select(p => ((ulong)(uint)p.Item1 << 32) | (uint)p.Item2)));

    public static readonly Gen<long> AnyLong = AnyULong.Select(u => unchecked((long)u));

    /// <summary>Unicode scalars of 1, 2, 3 and 4 UTF-8 bytes (no surrogates).</summary>
    public static readonly Gen<Rune> Scalar = Gen.OneOf(
        Gen.Choose(0x20, 0x7E),
        Gen.Choose(0x80, 0x7FF),
        Gen.Choose(0x800, 0xD7FF),
        Gen.Choose(0xE000, 0xFFFD),
        Gen.Choose(0x10000, 0x10FFFF)).Select(c => new Rune(c));

    /// <summary>Keys of 1 to 64 scalars: at most 256 UTF-8 bytes.</summary>
    public static readonly Gen<string> Key = Gen.Choose(1, 64).SelectMany(n => Gen.ArrayOf(Scalar, n)).Select(Text);

    public static readonly Gen<string?> Value = Gen.Frequency(
        (1, Gen.Constant<string?>(null)),
        (5, Gen.Choose(0, 200).SelectMany(n => Gen.ArrayOf(Scalar, n)).Select(r => (string?)Text(r))));

    public static readonly Gen<ChangeEntry> Entry =
        from epoch in AnyULong
        from sequence in AnyULong
        from key in Key
        from value in Value
        from time in AnyLong
        select new ChangeEntry(epoch, sequence, key, value, time);

    private static string Text(Rune[] runes)
    {
        var builder = new StringBuilder();
        foreach (var rune in runes)
        {
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }
}
