using FsCheck;
using FsCheck.Fluent;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Generators of epoch histories, and the definition of the common point applied sequence by sequence.</summary>
internal static class Histories
{
    /// <summary>Sorted histories of 0-5 epochs over sequences 1..about 40, some epochs empty (equal first sequences).</summary>
    public static readonly Gen<EpochStart[]> Valid =
        Gen.Choose(0, 5).SelectMany(n =>
            Gen.ArrayOf(Gen.Choose(0, 8), n).SelectMany(gaps =>
                Gen.ArrayOf(Gen.Choose(0, 2), n).SelectMany(steps =>
                    Gen.Choose(1, 3).Select(first => Build(first, gaps, steps)))));

    /// <summary>Two logs that share a random prefix, then go on in different epochs (or one goes on in the last shared
    /// epoch while the other starts a new one: the split-brain case), each to a random last sequence.</summary>
    public static readonly Gen<Diverging> Diverging =
        from shared in Gen.Choose(0, 4)
        from sharedGaps in Gen.ArrayOf(Gen.Choose(1, 6), shared)
        from sharedSteps in Gen.ArrayOf(Gen.Choose(1, 3), shared)
        from extra in Gen.Choose(0, 6)
        from mineContinues in Gen.Elements(true, false)
        from mineStep in Gen.Choose(1, 3)
        from theirStep in Gen.Choose(1, 3)
        from mineTail in Gen.Choose(0, 3)
        from theirTail in Gen.Choose(0, 3)
        from myOffset in Gen.Choose(-8, 20)
        from theirOffset in Gen.Choose(-8, 20)
        select Make(sharedGaps, sharedSteps, extra, mineContinues, mineStep, theirStep, mineTail, theirTail, myOffset, theirOffset);

    /// <summary>The definition: the highest s up to both lasts with the same epoch for every sequence 1..s.</summary>
    public static ulong BruteForce(EpochStart[] mine, ulong myLast, EpochStart[] theirs, ulong theirLast)
    {
        var bound = Math.Min(myLast, theirLast);
        for (ulong s = 1; s <= bound; s++)
        {
            var a = EpochOf(mine, s);
            var b = EpochOf(theirs, s);
            if (a is null || b is null || a != b)
            {
                return s - 1;
            }
        }

        return bound;
    }

    private static ulong? EpochOf(EpochStart[] history, ulong sequence)
    {
        ulong? epoch = null;
        foreach (var start in history)
        {
            if (start.FirstSequence <= sequence)
            {
                epoch = start.Epoch;
            }
        }

        return epoch;
    }

    private static EpochStart[] Build(int first, int[] gaps, int[] steps)
    {
        var result = new EpochStart[gaps.Length];
        var sequence = (ulong)first;
        var epoch = 1UL;
        for (var i = 0; i < gaps.Length; i++)
        {
            sequence += (ulong)gaps[i];
            epoch += (ulong)steps[i];
            result[i] = new EpochStart(epoch, sequence);
        }

        return result;
    }

    private static Diverging Make(int[] sharedGaps, int[] sharedSteps, int extra, bool mineContinues, int mineStep, int theirStep,
        int mineTail, int theirTail, int myOffset, int theirOffset)
    {
        var shared = new List<EpochStart>();
        ulong sequence = 1;
        ulong epoch = 0;
        for (var i = 0; i < sharedGaps.Length; i++)
        {
            epoch += (ulong)sharedSteps[i];
            shared.Add(new EpochStart(epoch, sequence));
            sequence += (ulong)sharedGaps[i];
        }

        // With no shared epoch there is no shared sequence; otherwise the prefix ends somewhere after the last shared start.
        var sharedLength = shared.Count == 0 ? 0UL : shared[^1].FirstSequence + (ulong)extra;
        var mine = new List<EpochStart>(shared);
        var theirs = new List<EpochStart>(shared);
        var mineEpoch = epoch + (ulong)mineStep;
        var theirEpoch = mineEpoch + (ulong)theirStep;
        if (!(mineContinues && shared.Count > 0))
        {
            mine.Add(new EpochStart(mineEpoch, sharedLength + 1));
        }

        theirs.Add(new EpochStart(theirEpoch, sharedLength + 1));
        AddTail(mine, mineTail, sharedLength + 1, 100);
        AddTail(theirs, theirTail, sharedLength + 1, 200);
        var myLast = (ulong)Math.Max(0, (long)sharedLength + myOffset);
        var theirLast = (ulong)Math.Max(0, (long)sharedLength + theirOffset);
        return new Diverging([.. mine], myLast, [.. theirs], theirLast, sharedLength);
    }

    private static void AddTail(List<EpochStart> history, int count, ulong from, ulong epochBase)
    {
        for (var i = 1; i <= count; i++)
        {
            history.Add(new EpochStart(epochBase + (ulong)i, from + (ulong)(i * 3)));
        }
    }
}

/// <summary>Two histories that agree on exactly the first <see cref="SharedLength"/> sequences.</summary>
internal sealed record Diverging(EpochStart[] Mine, ulong MyLast, EpochStart[] Theirs, ulong TheirLast, ulong SharedLength);
