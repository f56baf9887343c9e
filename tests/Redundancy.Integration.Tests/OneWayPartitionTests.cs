using Redundancy.Simulation.Harness;
using Xunit.Abstractions;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// A one-way partition with real agents in network namespaces: the heartbeat link is UDP only, and A's datagrams to B
/// are dropped by nftables in A's namespace, so A hears B and B hears nothing of A. B takes over unfenced (no
/// interlock): with the takeover hold it says "active, epoch N" first and drives only after the hold, so A, which
/// still hears it, releases before B drives (no overlap); with no hold, B drives first and both drive until A hears B.
/// </summary>
[Collection("pair")]
public sealed class OneWayPartitionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20, false)] // the hold: A releases before B drives
    [InlineData(0, true)]   // no hold: B drives before its Active frame reaches A (the overlap the hold removes)
    public void PeerHearsUsButWeHearNothing_UnfencedTakeover_TheHoldLetsTheOldActiveReleaseFirst(int holdMs, bool overlapExpected)
    {
        Assert.True(NetnsPair.Available() && Nft.Available(), "this test needs root, iproute2 and nftables (tools/ensure-deps.sh)");
        using var pair = PairHarness.StartPair(new PairSpec
        {
            IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Netns = true, Serial = false, TakeoverHoldMs = holdMs,
        });
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());

        var cutAt = pair.Cabinet.Mark("A's datagrams to B dropped");
        using (Nft.DropUdpOut(pair.Netns!.NamespaceA, 5405))
        {
            var takeover = pair.B.WaitForTakeover(Wait, cutAt);
            Assert.True(takeover is not null, "B hears nothing of A: it should take over" + Dump(pair));
            Assert.True(pair.B.WaitForAlarm("UnfencedTakeover", Wait, cutAt) is not null, "no fence confirmed B's takeover: it must say so" + Dump(pair));
            var yielded = pair.A.WaitForRole("Standby", Wait, cutAt);
            Assert.True(yielded is not null, "A hears B claim a newer epoch: it should step down" + Dump(pair));
            Assert.Contains("epoch", yielded.Reason, StringComparison.Ordinal);

            var timeline = pair.Cabinet.SettledTimeline();
            var overlap = timeline.Overlap();
            output.WriteLine($"hold {holdMs} ms: both drove for {overlap.TotalMilliseconds:F3} ms; A: {yielded.Reason}");
            if (overlapExpected)
            {
                Assert.True(overlap > TimeSpan.Zero, "with no hold B drives before A can hear it: an overlap was expected (does the cabinet still see both?)" + Dump(pair));
            }
            else
            {
                Assert.True(overlap == TimeSpan.Zero, $"both drove for {overlap.TotalMilliseconds:F3} ms" + Dump(pair));
            }

            Assert.True(Eventually(() => pair.A.Role == "Standby" && pair.B.Role == "Active", Wait), Dump(pair));
        }
    }
}
