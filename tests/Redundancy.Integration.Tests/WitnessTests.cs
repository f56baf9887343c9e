using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Redundancy.Core.Witness;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using Xunit.Abstractions;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The witness with real agents and a real <c>redundancy-witness</c>: node A, node B, a client and a witness host joined
/// by the LAN's bridge, the heartbeat links (socat pty pair and the veth between the nodes) apart from it. With both
/// links cut the lease decides: the holder stays active, the other never drives; a dead active is taken over once its
/// lease ran out, fenced; a dead witness is an alarm only; a witness that answers one node only lets that node alone
/// hold or take the outputs; a replayed grant wins nothing.
/// </summary>
[Collection("pair")]
public sealed class WitnessTests(ITestOutputHelper output)
{
    private static PairSpec Spec => new()
    {
        IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, Netns = true, Witness = true, WitnessLeaseMs = 100,
        ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
    };

    [Fact]
    public void BothLinksCut_TheLeaseHolderStaysActive_TheStandbyIsHeldNamingTheHolder_NeverTwoDrivers()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = StartWithLease(Spec);

        var cutAt = CutBothLinks(pair);
        var blocked = pair.B.WaitForAlarm("WitnessBlocksTakeover", Wait, cutAt);
        Assert.True(blocked is not null, "B should hold its takeover for want of the lease" + Dump(pair));
        output.WriteLine($"B: {blocked.Reason}");
        Assert.Contains("node 1 holds the lease", blocked.Reason);
        Hold(TimeSpan.FromSeconds(1)); // many peer timeouts and leases

        AssertOnlyADrives(pair, cutAt);
    }

    [Fact]
    public void BothLinksCut_WithWitnessAndInterlock_TheLeaseHolderStaysActive_TheStandbyNeverDrives()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = StartWithLease(Spec with { Interlock = true });

        var cutAt = CutBothLinks(pair);

        // The interlock is read first (A's line is high), and B has asked the witness as well: it is denied.
        Assert.True(pair.B.WaitForAlarm("InterlockBlocksTakeover", Wait, cutAt) is not null, Dump(pair));
        Hold(TimeSpan.FromSeconds(1));
        AssertOnlyADrives(pair, cutAt);
        Assert.DoesNotContain(pair.Witness!.Lines, l => l.T >= cutAt && l.Line.Contains("granted to node 2", StringComparison.Ordinal));
    }

    [Fact]
    public void ActiveKilled_TheStandbyTakesOverOnceTheLeaseRanOut_Fenced()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = StartWithLease(Spec);

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        var took = pair.B.WaitForTakeover(Wait, killAt);
        Assert.True(took is not null, "B should take over with the lease" + Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        output.WriteLine($"B took over: detection {took.DetectionMs:F1} ms, takeover {took.TakeoverMs:F1} ms, "
            + $"{PairHarness.Ms(killAt, pair.B.Received.First(e => e.Event == took).T):F1} ms after the kill (reported)");

        Assert.True(Eventually(() => pair.Witness!.Lines.Any(l => l.T >= killAt && l.Line.Contains("lease granted to node 2", StringComparison.Ordinal)), Wait),
            "the witness should have granted B the lease");
        Assert.DoesNotContain(pair.B.EventsSince(killAt), e => e.IsAlarmRaised("UnfencedTakeover"));
        Assert.DoesNotContain(pair.B.EventsSince(killAt), e => e.IsAlarmRaised("WitnessBlocksTakeover") && e.Reason.Contains("does not answer", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void WitnessKilled_WhileThePairIsHealthy_OnlyWitnessUnreachable_ClearedWhenItComesBack()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = StartWithLease(Spec);
        var witness = pair.Witness!;

        var killAt = pair.Cabinet.Mark("kill -9 the witness");
        witness.Kill();
        var unreachable = pair.A.WaitForAlarm("WitnessUnreachable", Wait, killAt);
        Assert.True(unreachable is not null, "the active should say the witness does not answer" + Dump(pair));
        Hold(TimeSpan.FromSeconds(1));

        AssertNoRoleChange(pair, killAt);
        Assert.True(RaisedSince(pair.A, killAt).SequenceEqual(["WitnessUnreachable"]), "A should raise WitnessUnreachable only" + Dump(pair));
        Assert.True(RaisedSince(pair.B, killAt).Length == 0, "B should raise nothing" + Dump(pair));

        var backAt = pair.Cabinet.Mark("the witness back");
        witness.Start();
        var cleared = pair.A.WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Alarm == "WitnessUnreachable", Wait, backAt);
        Assert.True(cleared is not null, "the alarm should clear once the witness answers again" + Dump(pair));
        AssertNoRoleChange(pair, killAt);
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void WitnessAnswersTheActiveOnly_LinksUpNothingChanges_BothLinksCutTheActiveHolds()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        Assert.True(Nft.Available(), "this test needs nftables");
        using var pair = StartWithLease(Spec);
        var net = pair.Netns!;

        var muteAt = pair.Cabinet.Mark("the witness hears B no more");
        using var mute = Nft.DropUdpFrom(net.NamespaceWitness!, net.LanAddress("B"), PairHarness.WitnessPort);
        Hold(TimeSpan.FromSeconds(1));
        AssertNoRoleChange(pair, muteAt);
        Assert.True(RaisedSince(pair.A, muteAt).Length == 0, "the active is answered" + Dump(pair));
        Assert.True(RaisedSince(pair.B, muteAt).Length == 0, "a standby that hears its peer does not ask" + Dump(pair));

        var cutAt = CutBothLinks(pair);
        var blocked = pair.B.WaitForAlarm("WitnessBlocksTakeover", Wait, cutAt);
        Assert.True(blocked is not null, Dump(pair));
        Assert.Contains("does not answer", blocked.Reason);
        Hold(TimeSpan.FromSeconds(1));
        AssertOnlyADrives(pair, cutAt);
        Assert.DoesNotContain(pair.A.EventsSince(cutAt), e => e.IsAlarmRaised("WitnessUnreachable") || e.IsAlarmRaised("WitnessLost"));
    }

    [Fact]
    public void WitnessAnswersTheStandbyOnly_LinksUpOnlyAnAlarm_BothLinksCutTheStandbyTakesOver_TheIsolatedActiveReleases()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        Assert.True(Nft.Available(), "this test needs nftables");
        using var pair = StartWithLease(Spec with { WitnessOnIsolation = "release" });
        var net = pair.Netns!;

        var muteAt = pair.Cabinet.Mark("the witness hears A no more");
        using var mute = Nft.DropUdpFrom(net.NamespaceWitness!, net.LanAddress("A"), PairHarness.WitnessPort);
        Assert.True(pair.A.WaitForAlarm("WitnessUnreachable", Wait, muteAt) is not null, Dump(pair));
        Hold(TimeSpan.FromSeconds(1));
        AssertNoRoleChange(pair, muteAt);
        Assert.True(RaisedSince(pair.A, muteAt).SequenceEqual(["WitnessUnreachable"]), "A should raise WitnessUnreachable only" + Dump(pair));
        Assert.True(RaisedSince(pair.B, muteAt).Length == 0, "B should raise nothing" + Dump(pair));

        var cutAt = CutBothLinks(pair);
        var released = pair.A.WaitForRole("Standby", Wait, cutAt);
        Assert.True(released is not null, "A, cut off from its peer and the witness, should release (onIsolation release)" + Dump(pair));
        var took = pair.B.WaitForTakeover(Wait, cutAt);
        Assert.True(took is not null, "B, answered by the witness, should take over with the lease" + Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        output.WriteLine($"A released: {released.Reason}; B took over: detection {took.DetectionMs:F1} ms, takeover {took.TakeoverMs:F1} ms");
        Assert.True(pair.A.WaitForAlarm("WitnessLost", Wait, cutAt) is not null, Dump(pair));
        Assert.DoesNotContain(pair.B.EventsSince(cutAt), e => e.IsAlarmRaised("UnfencedTakeover"));
        Hold(TimeSpan.FromMilliseconds(500));
        Assert.False(pair.Cabinet.IsDriving("A", "pump1"));
        var overlap = pair.Cabinet.SettledTimeline().Overlap();
        output.WriteLine($"overlap {overlap.TotalMilliseconds:F1} ms");
        Assert.Equal(TimeSpan.Zero, overlap);
    }

    [Fact]
    public void ReplayedGrants_WinNothing_TheStandbyCutOffFromPeerAndWitnessStaysStandby()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = StartWithLease(Spec);
        var net = pair.Netns!;
        var key = Convert.FromHexString(File.ReadAllText(pair.KeyFile).Trim());

        // The witness box goes; an impostor with the pair key takes its address and port, as a recorder that held back
        // the witness's grants would: it sees B's requests and answers them with grants made too late to count.
        pair.Witness!.Kill();
        using var impostor = NetnsPair.RunIn(net.NamespaceWitness!, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse(net.WitnessAddress), PairHarness.WitnessPort));
            return s;
        });
        var cutAt = CutBothLinks(pair);

        var requests = new List<(long At, WitnessMessage Request, EndPoint From)>();
        var sent = 0;
        ulong counter = 0;
        const ulong instance = 0x5eed_0000_0000_0001;
        var buffer = new byte[256];
        var grant = new byte[WitnessMessage.Length];
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            if (!Receive(impostor, buffer, key, out var request, out var from) || request.NodeId != 2)
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            requests.Add((now, request, from));

            // Held back: a grant to a request of B's at least two leases old (the answer window is one lease).
            var old = requests.LastOrDefault(r => PairHarness.Ms(r.At, now) >= 2 * Spec.WitnessLeaseMs);
            if (old.Request.Counter != 0)
            {
                Grant(old.Request, ++counter).Encode(key, grant);
                impostor.SendTo(grant, from);
                sent++;
            }

            // Recorded in another life of B's: it echoes a run of B's that is not this one.
            Grant(request with { Instance = request.Instance ^ 0xFFFF }, ++counter).Encode(key, grant);
            impostor.SendTo(grant, from);
            sent++;
        }

        output.WriteLine($"{requests.Count} requests from B seen, {sent} replayed grants sent");
        Assert.True(requests.Count > 10, "B should have asked for the lease" + Dump(pair));
        Assert.True(sent > 10);
        Assert.True(pair.B.WaitForAlarm("WitnessBlocksTakeover", TimeSpan.Zero, cutAt) is { } blocked && blocked.Reason.Contains("does not answer", StringComparison.Ordinal), Dump(pair));
        AssertOnlyADrives(pair, cutAt);

        // The control: a grant made at once to B's newest request (what a witness would send) does count, so the
        // replays above reached B's socket and were refused for being stale alone.
        var freshAt = pair.Cabinet.Mark("a fresh grant");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(1) && pair.B.Role != "Active")
        {
            if (Receive(impostor, buffer, key, out var request, out var from) && request.NodeId == 2)
            {
                Grant(request, ++counter).Encode(key, grant);
                impostor.SendTo(grant, from);
            }
        }

        Assert.True(pair.B.WaitForTakeover(Wait, freshAt) is not null, "a fresh grant should let B take over (the control)" + Dump(pair));

        WitnessMessage Grant(in WitnessMessage request, ulong n) =>
            new(WitnessKind.Granted, 7, 2, instance, n, request.Instance, request.Counter, 2, 60_000);
    }

    [Fact]
    public void GrantsCapturedFromTheWire_ReplayedLater_WinNothing()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = StartWithLease(Spec);
        var net = pair.Netns!;
        var key = Convert.FromHexString(File.ReadAllText(pair.KeyFile).Trim());

        // B active (A killed): the witness grants B the lease every quarter lease. A raw socket in B's namespace records
        // those datagrams as they arrive, IP header and all, as a recorder on the LAN would.
        using var recorder = NetnsPair.RunIn(net.NamespaceB, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp));
        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        Assert.True(pair.B.WaitForTakeover(Wait, killAt) is not null, Dump(pair));
        var captured = new List<(byte[] Datagram, WitnessMessage Grant)>();
        var packet = new byte[2048];
        var sw = Stopwatch.StartNew();
        while (captured.Count < 20 && sw.Elapsed < Wait)
        {
            if (!recorder.Poll(100_000, SelectMode.SelectRead))
            {
                continue;
            }

            var n = recorder.Receive(packet);
            var ihl = (packet[0] & 0x0F) * 4;
            var from = new IPAddress(packet.AsSpan(12, 4));
            var sourcePort = (packet[ihl] << 8) | packet[ihl + 1];
            var payload = packet.AsSpan(ihl + 8, n - ihl - 8);
            if (from.ToString() == net.WitnessAddress && sourcePort == PairHarness.WitnessPort
                && WitnessMessage.TryDecode(key, payload, 7, out var answer) is null && answer is { Kind: WitnessKind.Granted, NodeId: 2 })
            {
                captured.Add((payload.ToArray(), answer));
            }
        }

        Assert.True(captured.Count >= 10, $"B's grants should be on the wire ({captured.Count} recorded)" + Dump(pair));

        // A back (standby), then a switchover back to A: B, standby again in the same run, is the one the grants name.
        var restartAt = pair.Cabinet.Mark("A restarted");
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Standby", TimeSpan.FromSeconds(20), restartAt) is not null, Dump(pair));
        using (var b = pair.Control("B"))
        {
            Assert.True(Eventually(() => b.Status() is { Peer.Readiness: "Hot" }, Wait), Dump(pair));
            var answer = b.Send<Redundancy.Protocol.Control.SwitchoverResponse>(new Redundancy.Protocol.Control.SwitchoverRequest());
            Assert.True(answer.Ok, answer.Error);
        }

        Assert.True(Eventually(() => pair.A.Role == "Active" && pair.B.Role == "Standby" && pair.DrivesAll("A"), Wait), Dump(pair));
        Assert.True(Eventually(() => pair.Witness!.Lines.Any(l => l.T >= restartAt && l.Line.Contains("lease granted to node 1", StringComparison.Ordinal)), Wait), Dump(pair));

        // The witness goes, both links are cut, and the recorder, at the witness's address and port, plays B's own
        // grants back to B's witness socket, over and over.
        pair.Witness!.Kill();
        using var replayer = NetnsPair.RunIn(net.NamespaceWitness!, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse(net.WitnessAddress), PairHarness.WitnessPort));
            return s;
        });
        var cutAt = CutBothLinks(pair);
        var buffer = new byte[256];
        EndPoint? bSocket = null;
        var replayed = 0;
        sw.Restart();
        while (sw.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            if (Receive(replayer, buffer, key, out var request, out var from) && request.NodeId == 2)
            {
                bSocket = from; // where B asks from: its witness socket, the one the grants were sent to
            }

            if (bSocket is not null)
            {
                replayer.SendTo(captured[replayed % captured.Count].Datagram, bSocket);
                replayed++;
            }
        }

        output.WriteLine($"{captured.Count} grants to B recorded, {replayed} replayed to {bSocket}");
        Assert.True(bSocket is not null, "B should have asked for the lease" + Dump(pair));
        Assert.True(pair.B.WaitForAlarm("WitnessBlocksTakeover", TimeSpan.Zero, cutAt) is { } blocked && blocked.Reason.Contains("does not answer", StringComparison.Ordinal), Dump(pair));
        AssertOnlyADrives(pair, cutAt);
    }

    private static bool Receive(Socket socket, byte[] buffer, byte[] key, out WitnessMessage message, out EndPoint from)
    {
        message = default;
        from = new IPEndPoint(IPAddress.Any, 0);
        if (!socket.Poll(50_000, SelectMode.SelectRead))
        {
            return false;
        }

        var n = socket.ReceiveFrom(buffer, ref from);
        return WitnessMessage.TryDecode(key, buffer.AsSpan(0, n), 7, out message) is null && message.Kind == WitnessKind.Request;
    }

    /// <summary>Starts the pair and waits until A is active, drives, and holds the witness's lease.</summary>
    private static PairHarness StartWithLease(PairSpec spec)
    {
        var pair = PairHarness.StartPair(spec);
        try
        {
            Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
            Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));
            Assert.True(Eventually(() => pair.Witness!.Lines.Any(l => l.Line.Contains("lease granted to node 1", StringComparison.Ordinal)), Wait),
                "the witness should grant the active its lease\n" + string.Join('\n', pair.Witness!.Lines.Select(l => l.Line)) + Dump(pair));

            // Settled: the standby hot and no alarm left from the start (replication connecting), so that every alarm
            // a test sees afterwards is its own. WaitingForPeer is left out: a node that raised it at start-up and
            // then became standby keeps it (the role machine clears it only on becoming active).
            using var a = pair.Control("A");
            using var b = pair.Control("B");
            Assert.True(Eventually(() => a.Status() is { Peer.Readiness: "Hot" } && Settled(a) && Settled(b), Wait),
                $"the pair should settle without alarms: A {string.Join(", ", a.Status().Alarms.Select(x => x.Kind))}, B {string.Join(", ", b.Status().Alarms.Select(x => x.Kind))}" + Dump(pair));
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    private static bool Settled(ControlClient node) => node.Status().Alarms.All(x => x.Kind == "WaitingForPeer");

    private static long CutBothLinks(PairHarness pair)
    {
        var at = pair.Cabinet.Mark("both heartbeat links cut");
        pair.Socat!.Pull();
        pair.Netns!.Pull();
        return at;
    }

    private static void AssertOnlyADrives(PairHarness pair, long since)
    {
        Assert.Equal("Active", pair.A.Role);
        Assert.Equal("Standby", pair.B.Role);
        Assert.DoesNotContain(pair.B.EventsSince(since), e => e.IsRoleChange("Active"));
        Assert.DoesNotContain(pair.A.EventsSince(since), e => e.Kind == NodeEventKind.RoleChanged);
        Assert.True(pair.DrivesAll("A"), Dump(pair));
        Assert.False(pair.Spec.Channels.Any(c => pair.Cabinet.IsDriving("B", c)), "B must not drive" + Dump(pair));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    private static void AssertNoRoleChange(PairHarness pair, long since)
    {
        Assert.DoesNotContain(pair.A.EventsSince(since), e => e.Kind == NodeEventKind.RoleChanged);
        Assert.DoesNotContain(pair.B.EventsSince(since), e => e.Kind == NodeEventKind.RoleChanged);
        Assert.Equal("Active", pair.A.Role);
        Assert.Equal("Standby", pair.B.Role);
    }

    /// <summary>The role machine's alarms about the peer or the witness raised since <paramref name="since"/>: what a
    /// witness could make a node say. Replication's and the links' are left out: on a loaded machine a semi-sync
    /// write may fall back, or a link miss a beat, whatever the witness does.</summary>
    private static string[] RaisedSince(AgentProcess node, long since) =>
        node.EventsSince(since).Where(e => e.Kind == NodeEventKind.AlarmRaised && e.Subject is "peer" or "witness").Select(e => e.Alarm!).Distinct().ToArray();
}
