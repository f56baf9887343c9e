using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>A receiving thread learns when it is flooded, and when the flood is over.</summary>
public sealed class FloodGuardTests
{
    [Fact]
    public void WithinBudget_NeverFlooded()
    {
        var guard = new FloodGuard(windowTicks: 100, budget: 4);

        var flooded = Enumerable.Range(0, 1000).Select(i => guard.Count(i * 25)).ToArray(); // 4 per window

        Assert.DoesNotContain(true, flooded);
    }

    [Fact]
    public void OverBudget_FloodedAtOnce_UntilAWindowWithinBudget()
    {
        var guard = new FloodGuard(windowTicks: 100, budget: 4);
        for (var i = 0; i < 4; i++)
        {
            Assert.False(guard.Count(i));
        }

        Assert.True(guard.Count(5));           // the fifth within the window
        Assert.True(guard.Count(101));         // the next window starts after a flooded one: still flooded
        Assert.False(guard.Count(202));        // a window with one datagram: over
    }
}
