using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>What the LAN's client saw of the system IP moving to <see cref="To"/>: the pings lost from the event
/// (a kill, a switchover request) until replies from the new active flowed, and how long until the first of them.</summary>
/// <param name="To">The new active.</param>
/// <param name="Lost">Echo requests sent from the event until 200 ms after the first reply from the new active that got no reply.</param>
/// <param name="MovedMs">From the event to the first reply from the new active's MAC; null when none came.</param>
public sealed record SystemIpMove(string To, int Lost, double? MovedMs)
{
    /// <summary>Waits (up to <paramref name="timeout"/>) for replies from <paramref name="to"/>'s LAN MAC after
    /// <paramref name="eventAt"/>, lets late replies come in, and counts.</summary>
    public static SystemIpMove Measure(PairHarness pair, LanPinger pinger, string to, long eventAt, TimeSpan timeout)
    {
        var mac = pair.Netns!.LanMac(to);
        long? first = null;
        Poll.Until(() => (first = pinger.FirstReplyFrom(mac, eventAt)) is not null, timeout, everyMs: 2);
        if (first is null)
        {
            return new SystemIpMove(to, pinger.Lost(eventAt, Stopwatch.GetTimestamp()), null);
        }

        // Requests sent up to 200 ms past the first good reply, answered or not; each has had 300 ms to be answered.
        var until = first.Value + (long)(0.2 * Stopwatch.Frequency);
        Poll.Hold(TimeSpan.FromMilliseconds(500));
        return new SystemIpMove(to, pinger.Lost(eventAt, until), PairHarness.Ms(eventAt, first.Value));
    }
}
