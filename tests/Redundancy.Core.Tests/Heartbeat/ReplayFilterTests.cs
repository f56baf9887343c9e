using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>Per-link replay judgement: a 64-bit frame counter per sender instance; instances have no order.</summary>
public sealed class ReplayFilterTests
{
    [Fact]
    public void FirstFrame_IsAcceptedWhateverItsCounter()
    {
        var filter = new ReplayFilter();

        Assert.Equal(DropReason.None, filter.Check(9, 12345));
    }

    [Fact]
    public void IncreasingCounters_AreAccepted()
    {
        var filter = new ReplayFilter();

        var reasons = new ulong[] { 1, 2, 10, uint.MaxValue, (ulong)uint.MaxValue + 1, ulong.MaxValue }.Select(c => filter.Check(3, c)).ToArray();

        Assert.All(reasons, r => Assert.Equal(DropReason.None, r));
    }

    [Fact]
    public void CounterPast32Bits_IsNotAReplay()
    {
        // Version 1 kept the frame counter in 32 bits: after 2^32 frames (~497 days at 20 ms on two links) it wrapped
        // to 0 and every later frame was a "replay", so the peer looked dead on every link.
        var filter = new ReplayFilter();
        filter.Check(3, uint.MaxValue - 1);

        Assert.Equal(DropReason.None, filter.Check(3, uint.MaxValue));
        Assert.Equal(DropReason.None, filter.Check(3, (ulong)uint.MaxValue + 1));
        Assert.Equal(DropReason.None, filter.Check(3, (ulong)uint.MaxValue + 2));
    }

    [Fact]
    public void SameCounterAgain_IsReplayed()
    {
        var filter = new ReplayFilter();
        filter.Check(3, 5);

        Assert.Equal(DropReason.Replayed, filter.Check(3, 5));
    }

    [Fact]
    public void LowerCounterSameInstance_IsReplayed()
    {
        var filter = new ReplayFilter();
        filter.Check(3, 5);
        filter.Check(3, 6);

        Assert.Equal(DropReason.Replayed, filter.Check(3, 4));
        Assert.Equal(DropReason.Replayed, filter.Check(3, 0));
    }

    [Fact]
    public void RefusedFrame_DoesNotMoveTheHighWaterMark()
    {
        var filter = new ReplayFilter();
        filter.Check(3, 5);
        filter.Check(3, 2);

        Assert.Equal(DropReason.None, filter.Check(3, 6));
    }

    [Fact]
    public void NewInstance_IsAcceptedWhateverItsValue_AndTheOldOneKeepsItsOwnMark()
    {
        // Instances have no order: a restarted sender whose boot record went backwards is a new instance like any other.
        var filter = new ReplayFilter();
        filter.Check(1_000, 1_000_000);

        var restarted = filter.Check(2, 1);
        var next = filter.Check(2, 2);
        var oldRunReplay = filter.Check(1_000, 999_999);
        var oldRunNew = filter.Check(1_000, 1_000_001);

        Assert.Equal(DropReason.None, restarted);
        Assert.Equal(DropReason.None, next);
        Assert.Equal(DropReason.Replayed, oldRunReplay);
        Assert.Equal(DropReason.None, oldRunNew); // authentic and new on this link: freshness decides what it proves
    }

    [Fact]
    public void MoreInstancesThanRemembered_ForgetsTheLeastRecentlyHeard()
    {
        var filter = new ReplayFilter();
        for (ulong i = 1; i <= ReplayFilter.Instances; i++)
        {
            filter.Check(i, 10);
        }

        filter.Check(1, 11); // instance 1 heard again: instance 2 is now the least recent
        filter.Check(99, 1); // a fifth instance pushes out instance 2

        Assert.Equal(DropReason.Replayed, filter.Check(1, 11));
        Assert.Equal(DropReason.None, filter.Check(2, 10));
    }
}
