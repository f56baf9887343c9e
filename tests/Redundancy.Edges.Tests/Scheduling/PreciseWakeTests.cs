using System.Diagnostics;
using Redundancy.Edges.Scheduling;

namespace Redundancy.Edges.Tests.Scheduling;

/// <summary>The engine's wake-up on a real eventfd: set before or during a wait, reset by it, and a timeout that is
/// never cut short.</summary>
public sealed class PreciseWakeTests
{
    [Fact]
    public void SetBeforeTheWait_ReturnsAtOnce_AndResets()
    {
        using var wake = new PreciseWake();
        wake.Set();
        wake.Set(); // two sets before one wait: still one wake-up

        Assert.True(wake.Wait(TimeSpan.FromSeconds(10)));
        Assert.False(wake.Wait(TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void SetFromAnotherThread_WakesALongWait()
    {
        using var wake = new PreciseWake();
        var setter = new Thread(() =>
        {
            Thread.Sleep(20);
            wake.Set();
        });
        var started = Stopwatch.GetTimestamp();
        setter.Start();

        Assert.True(wake.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(29), "the wait ran to its timeout: the set did not wake it");
        setter.Join();
    }

    [Theory]
    [InlineData(300)]   // below a millisecond: a managed wait cannot express it
    [InlineData(2500)]
    public void Timeout_IsNeverCutShort(int microseconds)
    {
        using var wake = new PreciseWake();
        var timeout = TimeSpan.FromMicroseconds(microseconds);
        var started = Stopwatch.GetTimestamp();

        Assert.False(wake.Wait(timeout));
        Assert.True(Stopwatch.GetElapsedTime(started) >= timeout, $"returned after {Stopwatch.GetElapsedTime(started).TotalMicroseconds:F0} us");
    }

    [Fact]
    public void ZeroOrNegativeTimeout_PollsWithoutBlocking()
    {
        using var wake = new PreciseWake();
        Assert.False(wake.Wait(TimeSpan.Zero));
        Assert.False(wake.Wait(TimeSpan.FromMilliseconds(-5)));
        wake.Set();
        Assert.True(wake.Wait(TimeSpan.Zero));
    }
}
