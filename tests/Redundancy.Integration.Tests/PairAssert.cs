using System.Diagnostics;
using Redundancy.Simulation.Harness;

namespace Redundancy.Integration.Tests;

/// <summary>Waiting and diagnostics for pair tests.</summary>
internal static class PairAssert
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Both agents' last log lines, for failure messages.</summary>
    public static string Dump(PairHarness pair) =>
        $"\n--- A ---\n{Tail(pair.A)}\n--- B ---\n{Tail(pair.B)}\n--- cabinet ---\n{pair.Cabinet.Timeline().Render(pair.Cabinet.Events.FirstOrDefault()?.T ?? 0)}";

    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        using var pause = new ManualResetEventSlim(false);
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            pause.Wait(5);
        }

        return true;
    }

    /// <summary>Lets the pair run for <paramref name="span"/>.</summary>
    public static void Hold(TimeSpan span)
    {
        using var pause = new ManualResetEventSlim(false);
        pause.Wait(span);
    }

    private static string Tail(AgentProcess agent) =>
        string.Join('\n', agent.Events.TakeLast(25).Select(e => e.Message));
}
