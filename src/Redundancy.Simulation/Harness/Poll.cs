using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>Waiting for a condition in demo, tests and benchmarks (never in the product).</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every few milliseconds; false when <paramref name="timeout"/> passes first.</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout, int everyMs = 5)
    {
        using var pause = new ManualResetEventSlim(false);
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            pause.Wait(everyMs);
        }

        return true;
    }

    /// <summary>Lets time pass (a pair running undisturbed).</summary>
    public static void Hold(TimeSpan span)
    {
        using var pause = new ManualResetEventSlim(false);
        pause.Wait(span);
    }
}
