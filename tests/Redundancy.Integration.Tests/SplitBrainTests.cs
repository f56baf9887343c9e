using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Both links cut, both nodes active and written to; links back: the lower epoch yields and resyncs.</summary>
[Collection("pair")]
public sealed class SplitBrainTests
{
    [Fact]
    public void BothLinksCut_BothActive_ThenRestored_LowerEpochYields_ItsUnseenWritesGoToConflicts_StatesEqual()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(new PairSpec
        {
            IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Netns = true, ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
        });
        using var a = pair.Control("A");
        using var b = pair.Control("B");
        Assert.True(a.Set("shared", "\"before the split\"").Ok);
        Assert.True(Eventually(() => b.Get("shared").Ok, Wait), Dump(pair));

        var cutAt = pair.Cabinet.Mark("both links cut");
        pair.Socat!.Pull();
        pair.Netns!.Pull();
        var unfenced = pair.B.WaitForAlarm("UnfencedTakeover", Wait, cutAt);
        Assert.True(unfenced is not null, "B should take over and say it is unfenced" + Dump(pair));
        Assert.Equal("Active", pair.A.Role);

        Assert.True(a.Set("x", "\"from-A\"").Ok, "semi-sync falls back when the standby is gone");
        Assert.True(b.Set("x", "\"from-B\"").Ok);
        Assert.True(b.Set("y", "\"only-B\"").Ok);

        var healAt = pair.Cabinet.Mark("links restored");
        pair.Netns.Plug();
        pair.Socat.Plug();
        var yielded = pair.A.WaitForRole("Standby", Wait, healAt);
        Assert.True(yielded is not null, "A (lower epoch) should step down" + Dump(pair));
        Assert.Contains("epoch 514", yielded.Reason);
        Assert.True(pair.A.WaitForLog(e => e.Id == 208, Wait, healAt) is not null, "A should report the divergence" + Dump(pair));

        // Dual active is an alarm on both sides, the winner's included (before, the winning side said nothing).
        foreach (var node in new[] { pair.A, pair.B })
        {
            Assert.True(node.WaitForAlarm("DualActive", Wait, healAt) is not null, $"{node.Node} raised no dual-active alarm" + Dump(pair));
        }

        // The winner either heard the loser claim Active, or learnt from its frames that it yielded first.
        Assert.Contains(pair.B.Received, e => e.T > healAt && e.Event.IsAlarmRaised("DualActive")
            && (e.Event.Reason.Contains("must step down", StringComparison.Ordinal) || e.Event.Reason.Contains("yielded", StringComparison.Ordinal)));
        Assert.True(Eventually(() => a.State().SequenceEqual(b.State()), Wait), Dump(pair));

        Assert.Equal("\"from-B\"", Text(a.Get("x").Value));
        Assert.Equal("\"only-B\"", Text(a.Get("y").Value));
        var conflicts = a.Conflicts().Items!;
        var lostWrite = Assert.Single(conflicts, c => c.Key == "x");
        Assert.Equal("\"from-A\"", Text(lostWrite.Value));
        Assert.Equal(257UL, lostWrite.Epoch);
        Assert.Equal("Active", pair.B.Role);
    }
}
