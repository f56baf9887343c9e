using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Supervision;

namespace Redundancy.Core.Tests.Supervision;

/// <summary>No background loop ends from one exception.</summary>
public sealed class GuardedLoopTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task BodyThrows_FailureIsReported_AndTheBodyRunsAgainAfterTheDelay()
    {
        var runs = 0;
        var failures = new List<(Exception, TimeSpan)>();
        var loop = GuardedLoop.RunAsync(
            _ => ++runs == 1 ? throw new InvalidOperationException("boom") : Task.CompletedTask,
            (ex, delay) => failures.Add((ex, delay)),
            Delay,
            _time,
            CancellationToken.None);

        Assert.Equal(1, runs);
        var failure = Assert.Single(failures);
        Assert.Equal("boom", failure.Item1.Message);
        Assert.Equal(Delay, failure.Item2);
        Assert.False(loop.IsCompleted);
        _time.Advance(Delay);
        await loop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Cancelled_LoopEndsWithoutReportingAFailure()
    {
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var loop = GuardedLoop.RunAsync(
            async ct => await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct),
            (_, _) => failures++,
            Delay,
            _time,
            stop.Token);

        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, failures);
    }
}
