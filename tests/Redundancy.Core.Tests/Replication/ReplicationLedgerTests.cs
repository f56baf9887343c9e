using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>The active's bookkeeping: acknowledgements, lag, waiting writes in each mode, compaction.</summary>
public sealed class ReplicationLedgerTests
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromMilliseconds(1000);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NewLedger_KnowsTheLogsEndAndNothingAcknowledged()
    {
        var ledger = Ledger(ReplicationMode.Sync, last: 40);

        Assert.Equal(40UL, ledger.Last);
        Assert.Equal(0UL, ledger.Acked);
        Assert.Equal(40UL, ledger.LagEntries);
        Assert.False(ledger.StandbyConnected);
    }

    [Fact]
    public void EntriesInTheLogBeforeTheLedger_CountAsAppendedWhenItWasCreated()
    {
        var ledger = Ledger(ReplicationMode.Sync, last: 40);

        _time.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal(TimeSpan.FromMilliseconds(300), ledger.LagTime);
        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(1));
        _time.Advance(SyncTimeout);
        Assert.Equal(WriteOutcome.TimedOut, ledger.Judge(40));
    }

    [Fact]
    public void AppendOutOfOrder_Throws()
    {
        var ledger = Ledger(ReplicationMode.Async, last: 5);

        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.OnAppended(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.OnAppended(7));
        ledger.OnAppended(6);
        Assert.Equal(6UL, ledger.Last);
    }

    [Fact]
    public void Acks_OnlyMoveForward()
    {
        var ledger = Appended(ReplicationMode.Async, 10);

        Assert.True(ledger.OnAcked(7));
        Assert.False(ledger.OnAcked(5));
        Assert.False(ledger.OnAcked(7));

        Assert.Equal(7UL, ledger.Acked);
        Assert.Equal(3UL, ledger.LagEntries);
    }

    [Fact]
    public void AckBeyondTheLastAppended_Throws()
    {
        var ledger = Appended(ReplicationMode.Async, 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.OnAcked(4));
        Assert.Equal(0UL, ledger.Acked);
    }

    [Fact]
    public void LagTime_IsTheAgeOfTheOldestUnacknowledgedEntry()
    {
        var ledger = Ledger(ReplicationMode.Async);
        Assert.Equal(TimeSpan.Zero, ledger.LagTime);

        ledger.OnAppended(1);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        ledger.OnAppended(2);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal(TimeSpan.FromMilliseconds(150), ledger.LagTime);
        ledger.OnAcked(1);
        Assert.Equal(TimeSpan.FromMilliseconds(50), ledger.LagTime);
        ledger.OnAcked(2);
        Assert.Equal(TimeSpan.Zero, ledger.LagTime);
        Assert.Equal(0UL, ledger.LagEntries);
    }

    [Fact]
    public void SyncWrite_WaitsUntilAcknowledged()
    {
        var ledger = Connected(ReplicationMode.Sync);
        ledger.OnAppended(1);

        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(1));
        _time.Advance(SyncTimeout);
        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(1));
        ledger.OnAcked(1);
        Assert.Equal(WriteOutcome.Completed, ledger.Judge(1));
    }

    [Fact]
    public void SyncWriteNotAcknowledgedWithinTheTimeout_TimesOutAndCompletesOnceAcknowledged()
    {
        var ledger = Connected(ReplicationMode.Sync);
        ledger.OnAppended(1);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        ledger.OnAppended(2);

        _time.Advance(SyncTimeout - TimeSpan.FromMilliseconds(400) + TimeSpan.FromTicks(1));

        Assert.Equal(WriteOutcome.TimedOut, ledger.Judge(1));
        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(2));
        ledger.OnAcked(2);
        Assert.Equal(WriteOutcome.Completed, ledger.Judge(1));
    }

    [Fact]
    public void SyncMode_NeverFallsBackNorAlarms()
    {
        var ledger = Ledger(ReplicationMode.Sync);
        ledger.OnAppended(1);
        _time.Advance(SyncTimeout * 5);

        Assert.False(ledger.Evaluate());

        Assert.False(ledger.IsFallenBack);
        Assert.Equal(ReplicationMode.Sync, ledger.EffectiveMode);
        Assert.False(ledger.TryDequeueAlarm(out _));
        Assert.Equal(WriteOutcome.TimedOut, ledger.Judge(1));
    }

    [Fact]
    public void AsyncWrite_CompletesAtOnceEvenWithoutAStandby()
    {
        var ledger = Ledger(ReplicationMode.Async);
        ledger.OnAppended(1);

        Assert.Equal(WriteOutcome.Completed, ledger.Judge(1));
        Assert.False(ledger.Evaluate());
        Assert.False(ledger.TryDequeueAlarm(out _));
    }

    [Fact]
    public void SemiSyncWithoutAStandby_FallsBackAtTheFirstEvaluateWithAnAlarm()
    {
        var ledger = Ledger(ReplicationMode.SemiSync);
        Assert.Equal(ReplicationMode.Sync, ledger.EffectiveMode);

        Assert.True(ledger.Evaluate());

        Assert.True(ledger.IsFallenBack);
        Assert.Equal(ReplicationMode.Async, ledger.EffectiveMode);
        Assert.True(ledger.TryDequeueAlarm(out var alarm));
        Assert.Equal(new ReplicationAlarm(true, "replication degraded: semi-sync fell back to async (standby not connected)"), alarm);
        Assert.False(ledger.TryDequeueAlarm(out _));
        ledger.OnAppended(1);
        Assert.Equal(WriteOutcome.Completed, ledger.Judge(1));
    }

    [Fact]
    public void SemiSyncStandbyAcknowledgingInTime_StaysSync()
    {
        var ledger = Connected(ReplicationMode.SemiSync);
        ledger.OnAppended(1);
        _time.Advance(SyncTimeout);

        Assert.False(ledger.Evaluate());

        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(1));
        Assert.False(ledger.TryDequeueAlarm(out _));
    }

    [Fact]
    public void SemiSyncStandbySlowerThanTheTimeout_FallsBackAndReleasesWaitingWrites()
    {
        var ledger = Connected(ReplicationMode.SemiSync);
        ledger.OnAppended(1);
        _time.Advance(SyncTimeout + TimeSpan.FromMilliseconds(1));

        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(1));
        Assert.True(ledger.Evaluate());

        Assert.Equal(WriteOutcome.Completed, ledger.Judge(1));
        Assert.True(ledger.TryDequeueAlarm(out var alarm));
        Assert.True(alarm.Raised);
        Assert.Equal("replication degraded: semi-sync fell back to async (standby did not acknowledge sequence 1 within 1000 ms)", alarm.Text);
    }

    [Fact]
    public void SemiSyncFallenBack_ReturnsToSyncOnlyOnceConnectedAndCaughtUp()
    {
        var ledger = Ledger(ReplicationMode.SemiSync);
        ledger.Evaluate();
        ledger.TryDequeueAlarm(out _);
        ledger.OnAppended(1);
        ledger.OnAppended(2);

        ledger.OnStandbyConnected();
        ledger.OnAcked(1);
        Assert.False(ledger.Evaluate());
        Assert.True(ledger.IsFallenBack);

        ledger.OnAcked(2);
        Assert.True(ledger.Evaluate());

        Assert.False(ledger.IsFallenBack);
        Assert.True(ledger.TryDequeueAlarm(out var alarm));
        Assert.Equal(new ReplicationAlarm(false, "replication back in sync"), alarm);
        ledger.OnAppended(3);
        Assert.Equal(WriteOutcome.Waiting, ledger.Judge(3));
    }

    [Fact]
    public void SemiSyncStandbyDisconnecting_FallsBackAtOnceWithoutWaitingForTheTimeout()
    {
        var ledger = Connected(ReplicationMode.SemiSync);
        ledger.OnAppended(1);

        ledger.OnStandbyDisconnected();
        Assert.True(ledger.Evaluate());

        Assert.Equal(WriteOutcome.Completed, ledger.Judge(1));
        Assert.True(ledger.TryDequeueAlarm(out var alarm));
        Assert.EndsWith("(standby not connected)", alarm.Text);
    }

    [Fact]
    public void SemiSyncCaughtUpButDisconnected_StaysFallenBack()
    {
        var ledger = Ledger(ReplicationMode.SemiSync);
        ledger.Evaluate();

        Assert.False(ledger.Evaluate());

        Assert.True(ledger.IsFallenBack);
    }

    [Fact]
    public void JudgingASequenceNotAppended_Throws()
    {
        var ledger = Appended(ReplicationMode.Sync, 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Judge(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Judge(0));
    }

    [Theory]
    // retention, last, acked, bound
    [InlineData(100UL, 0, 0UL, 0UL)]
    [InlineData(100UL, 50, 0UL, 0UL)]
    [InlineData(100UL, 50, 30UL, 30UL)]
    [InlineData(100UL, 100, 0UL, 0UL)]
    [InlineData(100UL, 101, 0UL, 1UL)]
    [InlineData(100UL, 250, 10UL, 150UL)]
    [InlineData(100UL, 250, 200UL, 200UL)]
    [InlineData(100UL, 250, 250UL, 250UL)]
    [InlineData(1UL, 5, 0UL, 4UL)]
    public void CompactionBound_IsTheAckedSequenceWithinTheRetention(ulong retention, int last, ulong acked, ulong bound)
    {
        var ledger = new ReplicationLedger(new ReplicationLedgerOptions(ReplicationMode.Async, SyncTimeout, retention), _time, 0);
        for (var s = 1UL; s <= (ulong)last; s++)
        {
            ledger.OnAppended(s);
        }

        ledger.OnAcked(acked);

        Assert.Equal(bound, ledger.CompactionBound());
    }

    [Fact]
    public void MoreUnacknowledgedThanTracked_LagTimeIsOverNeverUnderEstimatedAndExactAgainOnceWithin()
    {
        var ledger = new ReplicationLedger(new ReplicationLedgerOptions(ReplicationMode.Sync, SyncTimeout, 1000) { MaxTrackedEntries = 4 }, _time, 0);
        for (var s = 1UL; s <= 10; s++)
        {
            ledger.OnAppended(s);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Entry s was appended (10 - s + 1) * 10 ms ago.
        Assert.Equal(TimeSpan.FromMilliseconds(100), ledger.LagTime);
        ledger.OnAcked(3);
        Assert.True(ledger.LagTime >= TimeSpan.FromMilliseconds(70));
        ledger.OnAcked(6);
        Assert.Equal(TimeSpan.FromMilliseconds(40), ledger.LagTime);
        ledger.OnAcked(9);
        Assert.Equal(TimeSpan.FromMilliseconds(10), ledger.LagTime);
    }

    [Fact]
    public void RingWrappedWhenItGrows_KeepsEveryAppendTime()
    {
        var ledger = Connected(ReplicationMode.Async);
        for (var s = 1UL; s <= 300; s++)
        {
            ledger.OnAppended(s);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            if (s == 40)
            {
                ledger.OnAcked(30);
            }
        }

        // Entry s was appended 301 - s ms ago; walk the acks over all of them.
        for (var s = 31UL; s <= 300; s++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(301 - (double)s), ledger.LagTime);
            ledger.OnAcked(s);
        }

        Assert.Equal(TimeSpan.Zero, ledger.LagTime);
    }

    [Theory]
    [InlineData(ReplicationMode.Sync)]
    [InlineData(ReplicationMode.SemiSync)]
    [InlineData(ReplicationMode.Async)]
    public void SteadyState_AllocatesNothing(ReplicationMode mode)
    {
        var ledger = Connected(mode);
        Cycle(ledger, 1, 500);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(ledger, 501, 10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        static void Cycle(ReplicationLedger ledger, ulong from, ulong to)
        {
            for (var s = from; s <= to; s++)
            {
                ledger.OnAppended(s);
                _ = ledger.Judge(s);
                ledger.Evaluate();
                if (s % 4 == 0)
                {
                    ledger.OnAcked(s - 1);
                    _ = ledger.Judge(s - 1);
                    _ = ledger.LagTime;
                    _ = ledger.CompactionBound();
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 1UL, 1)]
    [InlineData(-1, 1UL, 1)]
    [InlineData(1000, 0UL, 1)]
    [InlineData(1000, 1UL, 0)]
    public void InvalidOptions_Throw(int timeoutMs, ulong retention, int tracked)
    {
        var options = new ReplicationLedgerOptions(ReplicationMode.Sync, TimeSpan.FromMilliseconds(timeoutMs), retention) { MaxTrackedEntries = tracked };

        Assert.Throws<ArgumentException>(() => new ReplicationLedger(options, _time, 0));
    }

    private ReplicationLedger Ledger(ReplicationMode mode, ulong last = 0) =>
        new(new ReplicationLedgerOptions(mode, SyncTimeout, RetentionEntries: 10_000), _time, last);

    private ReplicationLedger Connected(ReplicationMode mode)
    {
        var ledger = Ledger(mode);
        ledger.OnStandbyConnected();
        return ledger;
    }

    private ReplicationLedger Appended(ReplicationMode mode, ulong count)
    {
        var ledger = Ledger(mode);
        for (var s = 1UL; s <= count; s++)
        {
            ledger.OnAppended(s);
        }

        return ledger;
    }
}
