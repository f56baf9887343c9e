using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>The common point of two logs: the longest prefix both histories give the same epochs.</summary>
public sealed class CommonPointTests
{
    [Fact]
    public void BothEmpty_ShareNothing()
    {
        Assert.Equal(0UL, CommonPoint.Find([], 0, [], 0));
    }

    [Fact]
    public void SameHistory_SharesUpToTheShorterLog()
    {
        EpochStart[] history = [new(1, 1), new(3, 40)];

        Assert.Equal(45UL, CommonPoint.Find(history, 45, history, 90));
        Assert.Equal(45UL, CommonPoint.Find(history, 90, history, 45));
    }

    [Fact]
    public void DifferentFirstEpoch_ShareNothing()
    {
        Assert.Equal(0UL, CommonPoint.Find([new(1, 1)], 10, [new(2, 1)], 10));
    }

    [Fact]
    public void OldActiveKeptWritingWhileNewActiveStartedAnEpoch_ShareUpToTheNewEpochsStart()
    {
        // Split brain: the old active (epoch 4) went on writing 21..30; the new one started epoch 5 at 21.
        EpochStart[] oldActive = [new(1, 1), new(4, 11)];
        EpochStart[] newActive = [new(1, 1), new(4, 11), new(5, 21)];

        Assert.Equal(20UL, CommonPoint.Find(oldActive, 30, newActive, 25));
    }

    [Fact]
    public void BothStartedDifferentEpochsAtTheSameSequence_ShareUpToTheSequenceBefore()
    {
        Assert.Equal(5UL, CommonPoint.Find([new(1, 1), new(2, 6)], 10, [new(1, 1), new(3, 6)], 8));
    }

    [Fact]
    public void DivergenceBeyondTheShorterLog_IsNotCounted()
    {
        // Theirs never wrote anything of epoch 3 yet mine did: everything they hold is shared.
        Assert.Equal(12UL, CommonPoint.Find([new(1, 1), new(3, 20)], 30, [new(1, 1), new(2, 20)], 12));
    }

    [Fact]
    public void AnEpochThatWroteNothing_IsSupersededByTheNextStartingAtTheSameSequence()
    {
        EpochStart[] mine = [new(1, 1), new(2, 5), new(3, 5)];
        EpochStart[] theirs = [new(1, 1), new(3, 5)];

        Assert.Equal(9UL, CommonPoint.Find(mine, 9, theirs, 9));
    }

    [Fact]
    public void SequencesBeforeAHistorysFirstStart_AreNeverShared()
    {
        Assert.Equal(0UL, CommonPoint.Find([new(1, 3)], 10, [new(1, 3)], 10));
        Assert.Equal(0UL, CommonPoint.Find([], 10, [], 10));
    }

    [Fact]
    public void ALogEndingAtZero_SharesNothing()
    {
        Assert.Equal(0UL, CommonPoint.Find([new(1, 1)], 0, [new(1, 1)], 50));
    }

    [Fact]
    public void HugeSequences_DoNotOverflow()
    {
        EpochStart[] history = [new(1, 1), new(2, ulong.MaxValue)];

        Assert.Equal(ulong.MaxValue, CommonPoint.Find(history, ulong.MaxValue, history, ulong.MaxValue));
        Assert.Equal(ulong.MaxValue - 1, CommonPoint.Find(history, ulong.MaxValue, [new(1, 1)], ulong.MaxValue));
    }

    [Fact]
    public void UnsortedHistory_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommonPoint.Find([new(1, 1)], 5, [new(1, 1), new(2, 9), new(3, 4)], 9));
        Assert.Equal("theirs", ex.ParamName);
        Assert.Throws<ArgumentException>(() => CommonPoint.Find([new(2, 5), new(1, 1)], 5, [new(1, 1)], 5));
    }

    [Fact]
    public void HistoryGoingBackInEpoch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommonPoint.Find([new(3, 1), new(2, 5)], 5, [], 0));
        Assert.Equal("mine", ex.ParamName);
    }

    [Fact]
    public void HistoryStartingAtSequenceZero_Throws()
    {
        Assert.Throws<ArgumentException>(() => CommonPoint.Find([new(1, 0)], 5, [new(1, 1)], 5));
    }

    [Property(MaxTest = 500)]
    public Property LogsSharingAPrefixThenDiverging_MeetAtThePrefixLength() =>
        Prop.ForAll(Arb.From(Histories.Diverging), s =>
        {
            var expected = Math.Min(s.SharedLength, Math.Min(s.MyLast, s.TheirLast));

            Assert.Equal(expected, CommonPoint.Find(s.Mine, s.MyLast, s.Theirs, s.TheirLast));
            Assert.Equal(expected, CommonPoint.Find(s.Theirs, s.TheirLast, s.Mine, s.MyLast));
        });

    [Property(MaxTest = 500)]
    public Property AnyTwoHistories_AgreeWithSequenceBySequenceComparisonAndAreSymmetric() =>
        Prop.ForAll(Arb.From(Gen.Zip(Gen.Zip(Histories.Valid, Histories.Valid), Gen.Zip(Gen.Choose(0, 40), Gen.Choose(0, 40)))), input =>
        {
            var ((mine, theirs), (myLast, theirLast)) = input;

            var found = CommonPoint.Find(mine, (ulong)myLast, theirs, (ulong)theirLast);

            Assert.Equal(Histories.BruteForce(mine, (ulong)myLast, theirs, (ulong)theirLast), found);
            Assert.Equal(found, CommonPoint.Find(theirs, (ulong)theirLast, mine, (ulong)myLast));
        });
}
