using System.Diagnostics;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;

namespace Redundancy.Tools;

/// <summary>
/// The demo's second part, in network namespaces (root): the pair's system IP followed by a client on the LAN through
/// a kill -9 and a switchover, and both cables cut with the interlock holding the standby back.
/// </summary>
internal static partial class Demo
{
    private static bool Network()
    {
        if (!NetnsPair.Available())
        {
            Say("\nPart 2 (the system IP and both cables cut) needs root for network namespaces: skipped.");
            Say("  Run `sudo tools/demo.sh` to see it.");
            return true;
        }

        var spec = new PairSpec
        {
            IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 1000, RelayHoldMs = 60, Interlock = true, InterlockThroughRelay = true,
            Netns = true, SystemIp = true, ArpCount = 3, ArpIntervalMs = 100, ReplicationMode = "semi-sync", SyncTimeoutMs = 200,
        };
        Say("\nPart 2: the pair in network namespaces, as two boxes on a plant LAN: a heartbeat link (a veth pair) and the");
        Say("  serial cable between them, and a LAN bridge with a SCADA client on it. The active holds the pair's system IP.");
        using var pair = PairHarness.StartPair(spec);
        var net = pair.Netns!;
        var active = pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
        var standby = PairHarness.Other(active);
        Poll.Until(() => net.HoldsSystemIp(active), TimeSpan.FromSeconds(5));
        using var pinger = new LanPinger(net.NamespaceLan!, net.LanBridge, net.SystemIp);
        Poll.Until(() => pinger.FirstReplyFrom(net.LanMac(active), 0) is not null, TimeSpan.FromSeconds(5));
        Say($"  Node {active} is active and holds {net.SystemIpCidr}; the client pings {net.SystemIp} every millisecond and");
        Say($"  reaches node {active}'s MAC {net.LanMac(active)}.");

        Say($"\nStep 9: node {active} loses power (kill -9 {pair.Agent(active).Pid} and its LAN link down).");
        var killAt = pair.Cabinet.Mark($"kill -9 {active}, LAN down");
        pair.Agent(active).Signal(Signals.Kill);
        net.SetLan(active, up: false);
        var took = pair.Agent(standby).WaitForTakeover(TimeSpan.FromSeconds(5), killAt);
        var kill = SystemIpMove.Measure(pair, pinger, standby, killAt, TimeSpan.FromSeconds(5));
        Say(took is null ? $"  FAILED: node {standby} did not take over" : $"  Node {standby} took over: \"{took.Reason}\".");
        Say($"  It added the address and sent gratuitous ARP: the client's pings answered again {Ms(kill.MovedMs)} after the kill,");
        Say($"  {kill.Lost} pings lost (1 ms apart); the client's ARP entry now names node {standby}'s MAC {net.ClientNeighbourMac()}.");
        var killOk = took is not null && kill.MovedMs is not null && net.ClientNeighbourMac() == net.LanMac(standby);

        Say($"\n  Node {active} gets power back: it starts as standby and removes the address its last life left.");
        net.SetLan(active, up: true);
        var restartAt = SimulatedCabinet.Now;
        pair.StartAgent(active);
        var back = pair.Agent(active).WaitForRole("Standby", TimeSpan.FromSeconds(20), restartAt);
        Poll.Until(() => !net.HoldsSystemIp(active), TimeSpan.FromSeconds(5));
        Say(back is null ? "  FAILED: it did not become standby" : $"  Node {active}: \"{back.Reason}\"; it holds the address: {net.HoldsSystemIp(active)}.");

        Say($"\nStep 10: a switchover back to node {active}, with the client still pinging.");
        bool switchOk;
        using (var control = pair.Control(standby))
        {
            Poll.Until(() => control.Status() is { Peer.Readiness: "Hot" } s && s.Links.All(l => l.Up), TimeSpan.FromSeconds(20));
            var at = pair.Cabinet.Mark($"switchover {standby} -> {active}");
            var answer = control.Send<SwitchoverResponse>(new SwitchoverRequest());
            var move = SystemIpMove.Measure(pair, pinger, active, at, TimeSpan.FromSeconds(5));
            Say(answer.Ok ? $"  Switched over: node {active} is active again." : $"  FAILED: {answer.Error}");
            Say($"  Node {standby} removed the address before it announced standby, node {active} added it: the client's pings");
            Say($"  answered again {Ms(move.MovedMs)} after the command, {move.Lost} lost.");
            switchOk = answer.Ok && move.MovedMs is not null && !net.HoldsSystemIp(standby);
            Poll.Until(() => control.Status() is { Peer.Readiness: "Hot" }, TimeSpan.FromSeconds(10));
        }

        Say($"\nStep 11: both cables are cut: the serial cable (kill socat) and the heartbeat link (veth down).");
        Say($"  Node {standby} hears nothing of node {active} on either link, and cannot tell a dead peer from cut cables.");
        var cutAt = pair.Cabinet.Mark("both cables cut");
        pair.Socat!.Pull();
        net.Pull();
        var blocked = pair.Agent(standby).WaitForAlarm("InterlockBlocksTakeover", TimeSpan.FromSeconds(5), cutAt);
        Poll.Hold(TimeSpan.FromSeconds(2));
        var changes = pair.A.EventsSince(cutAt).Count(e => e.Kind == NodeEventKind.RoleChanged) + pair.B.EventsSince(cutAt).Count(e => e.Kind == NodeEventKind.RoleChanged);
        var lost = pinger.Lost(cutAt, Stopwatch.GetTimestamp() - (long)(0.3 * Stopwatch.Frequency));
        Say(blocked is null ? "  FAILED: no interlock alarm" : $"  The defence: its interlock input says node {active} still drives, so it does not take over:");
        Say(blocked is null ? string.Empty : $"  \"{blocked.Reason}\"");
        Say($"  Two seconds later: role changes {changes}; node {active} still drives: {pair.DrivesAll(active)}; pings lost {lost}.");
        Say("  Without an interlock or a witness it would take over unfenced, with an UnfencedTakeover alarm (README, \"Split brain\").");

        var plugAt = SimulatedCabinet.Now;
        net.Plug();
        pair.Socat.Plug();
        var cleared = pair.Agent(standby).WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Alarm == "InterlockBlocksTakeover", TimeSpan.FromSeconds(5), plugAt);
        Say(cleared is null ? "  Cables back (alarm not cleared yet)." : $"  Cables back: \"{cleared.Reason}\".");
        var overlap = pair.Cabinet.SettledTimeline().Overlap();
        Say($"  Overlap over part 2: {overlap.TotalMilliseconds:F1} ms. The address is on node {active} only: {net.HoldsSystemIp(active) && !net.HoldsSystemIp(standby)}.");
        return killOk && back is not null && switchOk && blocked is not null && changes == 0 && lost == 0 && overlap == TimeSpan.Zero;
    }

    private static string Ms(double? ms) => ms is { } v ? $"{v:F1} ms" : "never";
}
