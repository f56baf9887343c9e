using Redundancy.Protocol.Control;
using Redundancy.Simulation.Harness;
using Xunit.Abstractions;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The pair's system IP with real agents in network namespaces and a client on a LAN beside the heartbeat link,
/// pinging the address every millisecond: it follows the active through a kill -9 and a switchover (pings lost
/// counted, the client's ARP entry moves to the new active's MAC, the address on exactly one node), a restarted node
/// removes the address its previous life left, and after a split brain heals the remaining active announces it
/// again, so it answers the client although the client last knew the loser's MAC.
/// </summary>
[Collection("pair")]
public sealed class SystemIpTests(ITestOutputHelper output)
{
    private static PairSpec Spec => new()
    {
        IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Netns = true, SystemIp = true, ArpCount = 3, ArpIntervalMs = 100,
        ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
    };

    [Fact]
    public void KillActive_AddressMovesToTheNewActive_PingsResume_ArpEntryMoves_RestartedNodeDropsItsStaleAddress()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec);
        var net = pair.Netns!;
        var active = pair.WaitForActiveAndStandby(Wait);
        var standby = PairHarness.Other(active);
        Assert.True(Eventually(() => net.HoldsSystemIp(active), Wait), $"the active ({active}) should hold {net.SystemIpCidr}" + Dump(pair));
        Assert.False(net.HoldsSystemIp(standby), "the standby must not hold the system IP");

        // Started as root with a system IP: each agent keeps CAP_NET_ADMIN and CAP_NET_RAW only (bits 12 and 13).
        foreach (var node in new[] { "A", "B" })
        {
            // CAP_SYS_NICE (bit 23) as well only where RLIMIT_RTPRIO cannot be raised (a root without CAP_SYS_RESOURCE).
            var status = File.ReadAllLines($"/proc/{pair.Agent(node).Pid}/status");
            var eff = status.Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal))[7..].Trim();
            Assert.True(eff is "0000000000003000" or "0000000000803000", $"{node}: CapEff {eff}");
            Assert.Contains(status, l => l == $"CapBnd:\t{eff}");
            var rt = pair.Agent(node).Lines.FirstOrDefault(l => l.Contains("cannot raise heartbeat threads", StringComparison.Ordinal) || l.Contains("cannot run at real-time priority", StringComparison.Ordinal));
            Assert.True(rt is null, rt); // SCHED_FIFO still works (RLIMIT_RTPRIO)
        }

        using var pinger = new LanPinger(net.NamespaceLan!, net.LanBridge, net.SystemIp);
        var activeMac = net.LanMac(active);
        Assert.True(Eventually(() => pinger.FirstReplyFrom(activeMac, 0) is not null, Wait), "the active should answer the client" + Dump(pair));
        Assert.Equal(activeMac, net.ClientNeighbourMac());

        // kill -9 with the LAN link down as well: the box lost power (its kernel no longer answers for the address).
        var killAt = pair.Cabinet.Mark($"kill -9 {active}, its LAN down");
        pair.Agent(active).Signal(Signals.Kill);
        net.SetLan(active, up: false);
        Assert.True(pair.Agent(standby).WaitForTakeover(Wait, killAt) is not null, $"{standby} should take over" + Dump(pair));
        var move = SystemIpMove.Measure(pair, pinger, standby, killAt, Wait);
        output.WriteLine($"kill -9: {move.Lost} pings lost (1 ms apart), the new active answered {move.MovedMs:F1} ms after the kill");
        Assert.True(move.MovedMs is not null, $"{standby} never answered the client at {net.SystemIp}" + Dump(pair));
        Assert.InRange(move.Lost, 1, 1000); // lost while nobody answered; at most a second's worth
        Assert.Equal(net.LanMac(standby), net.ClientNeighbourMac());
        Assert.True(net.HoldsSystemIp(standby));
        Assert.True(net.HoldsSystemIp(active), "the powered-off box still has it configured (its next life must remove it)");

        // Power back: the old node starts as standby and removes what its previous life left.
        net.SetLan(active, up: true);
        var restartAt = pair.Cabinet.Mark($"{active} restarted");
        pair.StartAgent(active);
        Assert.True(pair.Agent(active).WaitForRole("Standby", TimeSpan.FromSeconds(20), restartAt) is not null, Dump(pair));
        Assert.True(Eventually(() => !net.HoldsSystemIp(active), Wait), $"restarted {active} should remove its stale address" + Dump(pair));
        using (var restarted = pair.Control(active))
        {
            // Both links again, serial included: the restarted agent, with its capabilities bounded, reopened its tty.
            Assert.True(Eventually(() => restarted.Status().Links.All(l => l.Up), Wait), $"restarted {active} should have every link up" + Dump(pair));
        }

        Assert.True(net.HoldsSystemIp(standby));
        var afterRestart = pair.Cabinet.Mark("after restart");
        Hold(TimeSpan.FromMilliseconds(500));
        var by = pinger.AnsweredBy(afterRestart);
        Assert.True(by.Keys.SequenceEqual([net.LanMac(standby)]), $"only {standby} should answer, got {string.Join(", ", by)}");
    }

    [Fact]
    public void Switchover_AddressMovesBeforeTheOldActiveAnnouncesStandby_FewPingsLost_ArpEntryMoves()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec);
        var net = pair.Netns!;
        var active = pair.WaitForActiveAndStandby(Wait);
        var standby = PairHarness.Other(active);
        using var pinger = new LanPinger(net.NamespaceLan!, net.LanBridge, net.SystemIp);
        Assert.True(Eventually(() => pinger.FirstReplyFrom(net.LanMac(active), 0) is not null, Wait), "the active should answer the client" + Dump(pair));

        using var control = pair.Control(active);
        Assert.True(Eventually(() => control.Status() is { Peer.Readiness: "Hot" }, Wait), "the standby should be hot" + Dump(pair));
        var at = pair.Cabinet.Mark($"switchover {active} -> {standby}");
        var answer = control.Send<SwitchoverResponse>(new SwitchoverRequest());
        if (!answer.Ok)
        {
            Hold(TimeSpan.FromSeconds(1));
            foreach (var (node, e) in pair.A.Received.Select(r => ("A", r)).Concat(pair.B.Received.Select(r => ("B", r))).Where(x => x.r.T >= at - (long)(0.05 * System.Diagnostics.Stopwatch.Frequency)).OrderBy(x => x.r.T).Take(30))
            {
                output.WriteLine($"  +{PairHarness.Ms(at, e.T):F1} ms {node}: {e.Event.Describe()}");
            }
        }

        Assert.True(answer.Ok, answer.Error);
        var move = SystemIpMove.Measure(pair, pinger, standby, at, Wait);
        output.WriteLine($"switchover: {move.Lost} pings lost (1 ms apart), the new active answered {move.MovedMs:F1} ms after the request");
        var stepped = pair.Agent(active).WaitForRole("Standby", Wait, at);
        var took = pair.Agent(standby).WaitForTakeover(Wait, at);
        foreach (var (node, e) in pair.A.Received.Select(r => ("A", r)).Concat(pair.B.Received.Select(r => ("B", r))).Where(x => x.r.T >= at).OrderBy(x => x.r.T).Take(12))
        {
            output.WriteLine($"  +{PairHarness.Ms(at, e.T):F1} ms {node}: {e.Event.Describe()}");
        }
        Assert.True(move.MovedMs is not null, $"{standby} never answered the client" + Dump(pair));
        Assert.InRange(move.Lost, 0, 500);
        Assert.True(net.HoldsSystemIp(standby));
        Assert.False(net.HoldsSystemIp(active), "the old active must have removed the address");
        Assert.Equal(net.LanMac(standby), net.ClientNeighbourMac());
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.Timeline().Overlap()); // the address never made both drive
    }

    [Fact]
    public void BothLinksCut_BothHoldTheAddress_Healed_TheLoserRemovesIt_TheWinnerAnnouncesAgain_AndAnswers()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec);
        var net = pair.Netns!;
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        Assert.True(Eventually(() => net.HoldsSystemIp("A"), Wait), Dump(pair));

        var cutAt = pair.Cabinet.Mark("both links cut");
        pair.Socat!.Pull();
        net.Pull();
        Assert.True(pair.B.WaitForTakeover(Wait, cutAt) is not null, "B should take over" + Dump(pair));
        Assert.True(Eventually(() => net.HoldsSystemIp("A") && net.HoldsSystemIp("B"), Wait), "both actives hold the address during the split" + Dump(pair));

        // The client last heard the loser (A, the lower epoch): as if A's answer to its ARP request came last. Without a
        // new announcement from the winner after the heal, the client would keep sending to A's MAC for seconds.
        Hold(TimeSpan.FromMilliseconds(Spec.ArpCount * Spec.ArpIntervalMs + 300)); // B's takeover ARPs are over
        var macA = net.LanMac("A");
        var (code, text) = ExternalProcess.Run("ip", "-n", net.NamespaceLan!, "neigh", "replace", net.SystemIp, "lladdr", macA, "dev", net.LanBridge, "nud", "stale");
        Assert.True(code == 0, text);
        using var pinger = new LanPinger(net.NamespaceLan!, net.LanBridge, net.SystemIp);
        Assert.True(Eventually(() => pinger.FirstReplyFrom(macA, 0) is not null, Wait), "A still answers during the split" + Dump(pair));

        var healAt = pair.Cabinet.Mark("links restored");
        net.Plug();
        pair.Socat.Plug();

        // The epoch rule leaves B (the newer epoch); on a starved machine the pair may flap once more before it settles,
        // so the winner is whichever node is active once the pair has formed again.
        var winner = pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
        var loser = PairHarness.Other(winner);
        var move = SystemIpMove.Measure(pair, pinger, winner, healAt, Wait);
        output.WriteLine($"heal: {move.Lost} pings lost, {winner} answered {move.MovedMs:F1} ms after the links came back");
        Assert.True(move.MovedMs is < 2000, $"{winner} should answer within 2 s of the heal (a neighbour left on A's MAC takes 5 s or more to be probed away), got {move.MovedMs}" + Dump(pair));
        Assert.True(Eventually(() => !net.HoldsSystemIp(loser), Wait), "the loser must remove the address");
        Assert.True(net.HoldsSystemIp(winner));
        var macWinner = net.LanMac(winner);
        Assert.True(Eventually(() => net.ClientNeighbourMac() == macWinner, Wait), $"the client's entry should be {winner}'s MAC, is {net.ClientNeighbourMac()}");
        var settled = pair.Cabinet.Mark("settled");
        Hold(TimeSpan.FromMilliseconds(500));
        Assert.True(pinger.AnsweredBy(settled).Keys.SequenceEqual([macWinner]), $"only {winner} answers after the heal");
        Assert.True(pinger.Lost(settled, settled + (long)(0.2 * System.Diagnostics.Stopwatch.Frequency)) == 0, "no ping lost once healed");
    }
}
