using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>The ledger against a plain list of append times, under random appends, acks and clock steps.</summary>
public sealed class ReplicationLedgerPropertyTests
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>Up to 400 steps, acks rarer in some runs than others so that the ring wraps and grows; each: 0 append, 1 ack a random part of the backlog, 2 advance the clock (the int is the amount).</summary>
    private static readonly Gen<(int Kind, int Amount)[]> Steps =
        from n in Gen.Choose(0, 400)
        from appendWeight in Gen.Choose(2, 40)
        from steps in Gen.ArrayOf(
            Gen.Zip(Gen.Frequency((appendWeight, Gen.Constant(0)), (1, Gen.Constant(1)), (3, Gen.Constant(2))), Gen.Choose(0, 30)), n)
        select steps;

    [Property(MaxTest = 300)]
    public Property EnoughTracking_LagTimeAndJudgementMatchTheModelExactly() =>
        Prop.ForAll(Arb.From(Steps), steps => Run(steps, maxTracked: 100_000, exact: true));

    [Property(MaxTest = 300)]
    public Property LittleTracking_LagTimeNeverUnderstatesAndTimeoutsNeverComeLate() =>
        Prop.ForAll(Arb.From(Gen.Zip(Steps, Gen.Choose(1, 6))), input => Run(input.Item1, input.Item2, exact: false));

    private static void Run((int Kind, int Amount)[] steps, int maxTracked, bool exact)
    {
        var time = new FakeTimeProvider();
        var ledger = new ReplicationLedger(new ReplicationLedgerOptions(ReplicationMode.Sync, SyncTimeout, 1000) { MaxTrackedEntries = maxTracked }, time, 0);
        var appendedAt = new List<DateTimeOffset>();
        ulong acked = 0;
        foreach (var (kind, amount) in steps)
        {
            switch (kind)
            {
                case 0:
                    appendedAt.Add(time.GetUtcNow());
                    ledger.OnAppended((ulong)appendedAt.Count);
                    break;
                case 1:
                    acked += (ulong)amount * ((ulong)appendedAt.Count - acked) / 30;
                    ledger.OnAcked(acked);
                    break;
                default:
                    time.Advance(TimeSpan.FromMilliseconds(amount));
                    break;
            }

            var now = time.GetUtcNow();
            var modelLag = (ulong)appendedAt.Count > acked ? now - appendedAt[(int)acked] : TimeSpan.Zero;
            Assert.Equal(acked, ledger.Acked);
            Assert.Equal((ulong)appendedAt.Count - acked, ledger.LagEntries);
            if (exact)
            {
                Assert.Equal(modelLag, ledger.LagTime);
            }
            else
            {
                Assert.True(ledger.LagTime >= modelLag, $"lag {ledger.LagTime} under the true {modelLag}");
            }

            for (var s = acked + 1; s <= (ulong)appendedAt.Count; s++)
            {
                var modelTimedOut = now - appendedAt[(int)s - 1] > SyncTimeout;
                var outcome = ledger.Judge(s);
                if (exact || modelTimedOut)
                {
                    Assert.Equal(modelTimedOut ? WriteOutcome.TimedOut : WriteOutcome.Waiting, outcome);
                }
            }
        }
    }
}
