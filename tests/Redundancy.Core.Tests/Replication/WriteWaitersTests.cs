using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>Every waiting write gets an outcome in bounded time, whatever the judge does.</summary>
public sealed class WriteWaitersTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void WaiterWithNoVerdict_PastTheBound_FailsWithOutcomeUnknown()
    {
        var waiters = new WriteWaiters(_time, Bound);
        var write = waiters.Add(7);

        waiters.Judge(_ => WriteOutcome.Waiting, Timeout);
        Assert.False(write.IsCompleted);
        _time.Advance(Bound + TimeSpan.FromMilliseconds(1));
        waiters.Judge(_ => WriteOutcome.Waiting, Timeout);

        Assert.True(write.IsFaulted);
        Assert.Contains("UNKNOWN", write.Exception!.InnerException!.Message);
        Assert.Contains("7", write.Exception.InnerException.Message);
    }

    [Fact]
    public void JudgeThrowsForOneWaiter_ThatWaiterFailsWithOutcomeUnknown_OthersAreJudged_NothingThrows()
    {
        var waiters = new WriteWaiters(_time, Bound);
        var rolledBack = waiters.Add(9); // beyond a rewound ledger's last: its judge throws
        var fine = waiters.Add(3);

        var judged = Record.Exception(() => waiters.Judge(s => s > 5 ? throw new ArgumentOutOfRangeException(nameof(s)) : WriteOutcome.Completed, Timeout));

        Assert.Null(judged);
        Assert.True(fine.IsCompletedSuccessfully);
        Assert.True(rolledBack.IsFaulted);
        Assert.Contains("UNKNOWN", rolledBack.Exception!.InnerException!.Message);
    }

    [Fact]
    public void UnknownVerdict_FailsTheWaiterAtOnce()
    {
        var waiters = new WriteWaiters(_time, Bound);
        var write = waiters.Add(4);

        waiters.Judge(_ => WriteOutcome.Unknown, Timeout);

        Assert.True(write.IsFaulted);
        Assert.Contains("UNKNOWN", write.Exception!.InnerException!.Message);
    }

    private static InvalidOperationException Timeout(ulong sequence) => new($"timed out {sequence}");
}
