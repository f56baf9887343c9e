using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>Per-link sequence judgement: boot counter in the high 32 bits, frame counter in the low 32.</summary>
public sealed class ReplayFilterTests
{
    private static ulong Seq(uint boot, uint counter) => ((ulong)boot << 32) | counter;

    [Fact]
    public void FirstFrame_IsAcceptedWhateverItsSequence()
    {
        var filter = new ReplayFilter();

        Assert.Equal(DropReason.None, filter.Check(Seq(9, 12345)));
    }

    [Fact]
    public void IncreasingSequences_AreAccepted()
    {
        var filter = new ReplayFilter();

        var reasons = new[] { Seq(3, 1), Seq(3, 2), Seq(3, 10), Seq(3, uint.MaxValue) }.Select(filter.Check).ToArray();

        Assert.All(reasons, r => Assert.Equal(DropReason.None, r));
    }

    [Fact]
    public void SameSequenceAgain_IsReplayed()
    {
        var filter = new ReplayFilter();
        filter.Check(Seq(3, 5));

        Assert.Equal(DropReason.Replayed, filter.Check(Seq(3, 5)));
    }

    [Fact]
    public void LowerSequenceSameBoot_IsReplayed()
    {
        var filter = new ReplayFilter();
        filter.Check(Seq(3, 5));
        filter.Check(Seq(3, 6));

        Assert.Equal(DropReason.Replayed, filter.Check(Seq(3, 4)));
        Assert.Equal(DropReason.Replayed, filter.Check(Seq(3, 0)));
    }

    [Fact]
    public void RefusedFrame_DoesNotMoveTheHighWaterMark()
    {
        var filter = new ReplayFilter();
        filter.Check(Seq(3, 5));
        filter.Check(Seq(3, 2));

        Assert.Equal(DropReason.None, filter.Check(Seq(3, 6)));
    }

    [Fact]
    public void LowerBootCounter_IsStaleEvenWithHigherFrameCounter()
    {
        var filter = new ReplayFilter();
        filter.Check(Seq(3, 5));

        Assert.Equal(DropReason.Stale, filter.Check(Seq(2, 5)));
        Assert.Equal(DropReason.Stale, filter.Check(Seq(2, uint.MaxValue)));
    }

    [Fact]
    public void HigherBootCounter_IsAcceptedEvenWithLowFrameCounter()
    {
        var filter = new ReplayFilter();
        filter.Check(Seq(3, 1_000_000));

        var restarted = filter.Check(Seq(4, 0));
        var next = filter.Check(Seq(4, 1));
        var oldRun = filter.Check(Seq(3, 1_000_001));

        Assert.Equal(DropReason.None, restarted);
        Assert.Equal(DropReason.None, next);
        Assert.Equal(DropReason.Stale, oldRun);
    }
}
