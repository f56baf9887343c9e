using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Stream, snapshot or nothing; and whether the standby must first put its own entries aside.</summary>
public sealed class CatchUpPlanTests
{
    [Theory]
    // common, standbyLast, activeFirstInLog, activeLast, kind, from
    [InlineData(50UL, 50UL, 1UL, 50UL, CatchUpKind.UpToDate, 51UL)]
    [InlineData(0UL, 0UL, 0UL, 0UL, CatchUpKind.UpToDate, 1UL)]
    [InlineData(50UL, 50UL, 0UL, 50UL, CatchUpKind.UpToDate, 51UL)]
    [InlineData(40UL, 40UL, 1UL, 50UL, CatchUpKind.Stream, 41UL)]
    [InlineData(40UL, 40UL, 41UL, 50UL, CatchUpKind.Stream, 41UL)]
    [InlineData(40UL, 40UL, 42UL, 50UL, CatchUpKind.Snapshot, 41UL)]
    [InlineData(0UL, 0UL, 1UL, 50UL, CatchUpKind.Stream, 1UL)]
    [InlineData(0UL, 0UL, 2UL, 50UL, CatchUpKind.Snapshot, 1UL)]
    [InlineData(40UL, 40UL, 0UL, 50UL, CatchUpKind.Snapshot, 41UL)]
    [InlineData(49UL, 49UL, 50UL, 50UL, CatchUpKind.Stream, 50UL)]
    public void StandbyBehindOrEven_StreamsSnapshotsOrNothing(ulong common, ulong standbyLast, ulong firstInLog, ulong activeLast, CatchUpKind kind, ulong from)
    {
        var plan = CatchUpPlan.Decide(common, standbyLast, firstInLog, activeLast);

        Assert.Equal(new CatchUpPlan(kind, from, Diverged: false, DivergedFrom: 0), plan);
    }

    [Fact]
    public void StandbyWroteEntriesTheActiveNeverSaw_DivergedFromTheSequenceAfterTheCommonPoint()
    {
        var plan = CatchUpPlan.Decide(commonSequence: 20, standbyLast: 30, activeFirstInLog: 1, activeLast: 25);

        Assert.Equal(new CatchUpPlan(CatchUpKind.Stream, 21, Diverged: true, DivergedFrom: 21), plan);
    }

    [Fact]
    public void DivergedStandbyWhoseCommonPartWasCompacted_DivergedAndSnapshot()
    {
        var plan = CatchUpPlan.Decide(commonSequence: 20, standbyLast: 30, activeFirstInLog: 24, activeLast: 40);

        Assert.Equal(new CatchUpPlan(CatchUpKind.Snapshot, 21, Diverged: true, DivergedFrom: 21), plan);
    }

    [Fact]
    public void DivergedStandbyWithNothingNewOnTheActive_StreamsNotUpToDate()
    {
        // The standby is ahead on entries of its own: it must still roll back to 20 before it is up to date.
        var plan = CatchUpPlan.Decide(commonSequence: 20, standbyLast: 26, activeFirstInLog: 0, activeLast: 20);

        Assert.Equal(new CatchUpPlan(CatchUpKind.Stream, 21, Diverged: true, DivergedFrom: 21), plan);
    }

    [Fact]
    public void NothingSharedAndStandbyHoldsEntries_DivergedFromOne()
    {
        var plan = CatchUpPlan.Decide(commonSequence: 0, standbyLast: 5, activeFirstInLog: 1, activeLast: 9);

        Assert.Equal(new CatchUpPlan(CatchUpKind.Stream, 1, Diverged: true, DivergedFrom: 1), plan);
    }

    [Theory]
    [InlineData(11UL, 10UL, 1UL, 20UL)]
    [InlineData(11UL, 20UL, 1UL, 10UL)]
    [InlineData(5UL, 5UL, 21UL, 20UL)]
    public void InconsistentInput_Throws(ulong common, ulong standbyLast, ulong firstInLog, ulong activeLast)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CatchUpPlan.Decide(common, standbyLast, firstInLog, activeLast));
    }
}
