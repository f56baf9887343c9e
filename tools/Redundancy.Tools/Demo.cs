using System.Diagnostics;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;

namespace Redundancy.Tools;

/// <summary>The pair demo: start, kill the active, watch the standby take over, pull the serial cable.</summary>
internal static partial class Demo
{
    public static int Run()
    {
        var total = Stopwatch.StartNew();
        var loopback = LoopbackPair();
        var network = loopback && Network();
        var ok = loopback && network;
        Say($"\nCleaning up (agents, socat, namespaces and the cabinet, by PID). Demo {(ok ? "passed" : "FAILED")} in {total.Elapsed.TotalSeconds:F0} s.");
        return ok ? 0 : 1;
    }

    /// <summary>Part 1, on loopback: kill -9, the return, the serial cable, a hang, the field CLI.</summary>
    private static bool LoopbackPair()
    {
        var spec = new PairSpec
        {
            IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 1000, RelayHoldMs = 60, Interlock = true, InterlockThroughRelay = true,
            ReplicationMode = "sync", Mqtt = true,
        };
        Say("Setting up a pair on this machine: a simulated cabinet (both boxes' GPIO, interlock wires, watchdog");
        Say("relays and the field outputs pump1 and valve1), a serial crossover cable (a socat pty pair), and");
        Say($"Ethernet (loopback UDP). Heartbeat every {spec.IntervalMs} ms, peer timeout {spec.PeerTimeoutMs} ms.");
        using var pair = PairHarness.StartPair(spec);
        var active = pair.A.Role == "Active" ? "A" : "B";
        var standby = PairHarness.Other(active);
        Say($"\nBoth agents are up. Node {active} is ACTIVE and drives the outputs; node {standby} is STANDBY.");
        Say($"  {active} drives pump1: {pair.Cabinet.IsDriving(active, "pump1")}, {standby} drives pump1: {pair.Cabinet.IsDriving(standby, "pump1")}");

        Say($"\nStep 0: the control application writes through node {active}'s control socket: boiler set-point 72.5 C,");
        Say("  pump1 on. Replication is sync: each write completes only once the standby has it on disk.");
        using (var writer = pair.Control(active))
        {
            writer.Set("setpoints/boiler", "{\"celsius\":72.5}");
            writer.Set("outputs/pump1", "true");
        }

        using var reader = pair.Control(standby);
        var mirrored = reader.Get("setpoints/boiler");
        Say($"  Read on node {standby}: setpoints/boiler = {Json(mirrored)} (change {mirrored.Sequence}), outputs/pump1 = {Json(reader.Get("outputs/pump1"))}.");

        // What SCADA sees: a real mosquitto_sub on the pair's broker, from before the failover.
        var subscribed = new System.Collections.Concurrent.ConcurrentQueue<(long T, string Line)>();
        using var sub = new ExternalProcess("mosquitto_sub",
            ["-h", "127.0.0.1", "-p", pair.Broker!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-v", "-t", $"{pair.MqttPrefix}/active", "-t", $"{pair.MqttPrefix}/+/online", "-t", $"{pair.MqttPrefix}/+/events"],
            line => subscribed.Enqueue((SimulatedCabinet.Now, line)));
        Poll.Until(() => subscribed.Any(l => l.Line.StartsWith($"{pair.MqttPrefix}/active ", StringComparison.Ordinal)), TimeSpan.FromSeconds(5));

        Say($"\nStep 1: node {active} dies (kill -9 {pair.Agent(active).Pid}: as if its box lost power).");
        var killAt = pair.Cabinet.Mark($"kill -9 node {active}");
        pair.Agent(active).Signal(Signals.Kill);
        var took = pair.Agent(standby).WaitForTakeover(TimeSpan.FromSeconds(5), killAt);
        if (took is null)
        {
            Say($"  FAILED: node {standby} did not take over");
            return false;
        }

        Poll.Until(() => pair.DrivesAll(standby), TimeSpan.FromSeconds(2));
        var timeline = pair.Cabinet.Timeline();
        var drivenAt = timeline.FirstFullDrive(standby, spec.Channels.ToArray(), killAt);
        Say($"  Node {standby} took over: \"{took.Reason}\".");
        Say($"  Measured by {standby}: detection {PairHarness.F(took.DetectionMs ?? 0)} ms (peer's last frame -> decision), takeover {took.TakeoverMs ?? 0:F2} ms (decision -> outputs driven).");
        Say($"  Measured by the cabinet: {PairHarness.F(PairHarness.Ms(killAt, drivenAt ?? killAt))} ms from the kill to node {standby} driving every output; overlap {timeline.Overlap().TotalMilliseconds:F1} ms.");
        Say($"  Node {standby} still holds the set-point: {Json(reader.Get("setpoints/boiler"))}, and drives pump1 high as mirrored (policy resume).");
        Say("  Output timeline from the kill:");
        Console.Write(timeline.Render(killAt, e => e.Kind is "mark" or "drive-on" or "drive-off" or "power-off" or "relay-open" or "input"));
        Poll.Until(() => subscribed.Any(l => l.T > killAt && l.Line.StartsWith($"{pair.MqttPrefix}/active ", StringComparison.Ordinal)), TimeSpan.FromSeconds(5));
        Poll.Hold(TimeSpan.FromMilliseconds(300));
        Say($"  What a SCADA subscriber saw meanwhile (mosquitto_sub -v -t '{pair.MqttPrefix}/active' -t '{pair.MqttPrefix}/+/online' -t '{pair.MqttPrefix}/+/events', role changes only):");
        var seen = subscribed.Where(l => l.T > killAt && (!l.Line.Contains("/events ", StringComparison.Ordinal) || l.Line.Contains("\"kind\":\"RoleChanged\"", StringComparison.Ordinal))).ToArray();
        foreach (var (t, line) in seen)
        {
            Say($"  {PairHarness.Ms(killAt, t),8:F1} ms  {(line.Length > 160 ? line[..157] + "..." : line)}");
        }

        var mqttOk = seen.Any(l => l.Line.StartsWith($"{pair.MqttPrefix}/active ", StringComparison.Ordinal) && l.Line.Contains($"\"node\":\"{standby}\"", StringComparison.Ordinal))
            && seen.Any(l => l.Line == $"{pair.MqttPrefix}/{active}/online false");

        Say($"\nStep 2: node {active} comes back. It hears {standby} active with a newer epoch and stays standby:");
        Say("  failback is never automatic.");
        var restartAt = SimulatedCabinet.Now;
        pair.StartAgent(active);
        var back = pair.Agent(active).WaitForRole("Standby", TimeSpan.FromSeconds(10), restartAt);
        Say(back is null ? "  FAILED: it did not become standby" : $"  Node {active}: \"{back.Reason}\".");
        var linksUp = pair.Agent(standby).WaitForEvent(e => e.Kind == NodeEventKind.LinkUp && e.Subject == "serial", TimeSpan.FromSeconds(5), restartAt) is not null
            && pair.Agent(standby).WaitForEvent(e => e.Kind == NodeEventKind.LinkUp && e.Subject == "udp", TimeSpan.FromSeconds(5), restartAt) is not null;
        Say(linksUp ? $"  Node {standby} hears it again on both links, serial and UDP." : "  FAILED: the links did not come back");

        Say($"\nStep 3: the serial cable is pulled (kill socat, pid {pair.Socat!.Pid}).");
        var pullAt = pair.Cabinet.Mark("serial cable pulled");
        pair.Socat.Pull();
        var alarm = pair.Agent(standby).WaitForEvent(e => e.Kind == NodeEventKind.AlarmRaised && e.Subject == "serial", TimeSpan.FromSeconds(5), pullAt);
        Say(alarm is null ? "  FAILED: no alarm" : $"  Node {standby} raises an alarm: \"{alarm.Reason}\".");
        Poll.Hold(TimeSpan.FromSeconds(2));
        var changes = pair.A.EventsSince(pullAt).Count(e => e.Kind == NodeEventKind.RoleChanged) + pair.B.EventsSince(pullAt).Count(e => e.Kind == NodeEventKind.RoleChanged);
        Say($"  Two seconds later: role changes since the pull: {changes}; node {standby} still drives the outputs: {pair.DrivesAll(standby)}.");
        Say("  The heartbeats still flow over UDP, so one cable fault is an alarm, never a takeover.");

        Say("\nStep 4: the cable is plugged back in.");
        var plugAt = SimulatedCabinet.Now;
        pair.Socat.Plug();
        var cleared = pair.Agent(standby).WaitForEvent(e => e.Kind == NodeEventKind.AlarmCleared && e.Subject == "serial", TimeSpan.FromSeconds(5), plugAt);
        Say(cleared is null ? "  (alarm not cleared yet)" : $"  Node {standby}: alarm cleared: \"{cleared.Reason}\".");

        Say($"\nStep 5: node {standby}, now active, hangs (kill -STOP {pair.Agent(standby).Pid}): the process is alive and keeps its pins.");
        var stopAt = pair.Cabinet.Mark($"SIGSTOP node {standby}");
        pair.Agent(standby).Signal(Signals.Stop);
        var took2 = pair.Agent(active).WaitForTakeover(TimeSpan.FromSeconds(5), stopAt);
        Poll.Until(() => pair.DrivesAll(active), TimeSpan.FromSeconds(2));
        var contAt = pair.Cabinet.Mark($"SIGCONT node {standby}");
        pair.Agent(standby).Signal(Signals.Continue);
        var stepDown = pair.Agent(standby).WaitForRole("Standby", TimeSpan.FromSeconds(5), contAt);
        Poll.Hold(TimeSpan.FromMilliseconds(500));
        var hang = pair.Cabinet.Timeline();
        Say($"  Its engine loop stops toggling the life signal, so its watchdog relay cuts its outputs and its");
        Say($"  'I am active' line; node {active} then takes over: \"{took2?.Reason ?? "FAILED: no takeover"}\".");
        Console.Write(hang.Render(stopAt, e => e.Kind is "mark" or "drive-on" or "drive-off" or "relay-open" or "input"));
        Say($"  On resuming, node {standby} finds its own stall and releases before anything else: \"{stepDown?.Reason ?? "FAILED"}\".");
        Say($"  Overlap over the whole demo: {hang.Overlap().TotalMilliseconds:F1} ms.");

        var cli = FieldCli(pair, active, standby);
        return cli && mqttOk && took2 is not null && stepDown is not null && hang.Overlap() == TimeSpan.Zero && took is not null && back is not null && linksUp && alarm is not null && changes == 0 && timeline.Overlap() == TimeSpan.Zero;
    }

    /// <summary>Steps 6-8: the field CLI as the technician at the cabinet uses it: status, a switchover, a drill.</summary>
    private static bool FieldCli(PairHarness pair, string active, string standby)
    {
        Say($"\nStep 6: the technician at the cabinet runs `redundancyctl status` on node {active}:");
        using (var c = pair.Control(active))
        {
            Poll.Until(() => c.Status() is { Peer.Readiness: "Hot" } s && s.Links.All(l => l.Up) && s.Alarms.Count == 0, TimeSpan.FromSeconds(10));
        }

        var status = Ctl(pair, active, "status");
        Say($"  (exit {status}: 0 redundant, 1 degraded, 2 not redundant)");

        Say($"\nStep 7: before servicing node {active}, a graceful switchover: `redundancyctl switchover`. Writes pause, the");
        Say($"  standby confirms every change, node {active} releases and hands over in a frame on both links.");
        var mark = pair.Cabinet.Mark("switchover");
        var switched = Ctl(pair, active, "switchover");
        Poll.Until(() => pair.DrivesAll(standby), TimeSpan.FromSeconds(2));
        var t = pair.Cabinet.Timeline();
        var drivenAt = t.FirstFullDrive(standby, pair.Spec.Channels.ToArray(), mark);
        Say($"  Measured by the cabinet: {PairHarness.F(PairHarness.Ms(mark, drivenAt ?? mark))} ms from the command to node {standby} driving every output (this includes starting the CLI); overlap {t.Overlap().TotalMilliseconds:F1} ms.");

        Say($"\nStep 8: a failover drill, `redundancyctl drill` on node {standby}: over to node {active} and back, each leg measured.");
        using (var c = pair.Control(standby))
        {
            Poll.Until(() => c.Status() is { Role: "Active", Peer.Readiness: "Hot" }, TimeSpan.FromSeconds(10));
        }

        var drilled = Ctl(pair, standby, "drill");
        return status == 0 && switched == 0 && drilled == 0 && drivenAt is not null && pair.Cabinet.Timeline().Overlap() == TimeSpan.Zero;
    }

    /// <summary>Runs the real redundancyctl against <paramref name="node"/>'s socket and shows what it prints.</summary>
    private static int Ctl(PairHarness pair, string node, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(AgentBinary.LocateBuilt(Path.Combine("src", "Redundancy.Cli"), "redundancyctl.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--socket");
        psi.ArgumentList.Add(pair.ControlSocket(node));
        Say($"  $ redundancyctl {string.Join(' ', args)}");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            Say("  FAILED: redundancyctl did not end in 30 s");
            return -1;
        }

        foreach (var line in (stdout.Result + stderr.Result).TrimEnd().Split('\n'))
        {
            Say($"    {line}");
        }

        return p.ExitCode;
    }

    private static void Say(string text) => Console.WriteLine(text);

    private static string Json(GetResponse row) => !row.Ok ? $"(error: {row.Error})" : row.Value is { } v ? ControlProtocol.JsonText(v) : "null";
}
