using System.Diagnostics;
using System.Text.Json;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>The real redundancyctl binary against a real pair, through the real control socket.</summary>
[Collection("pair")]
public sealed class CliTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync" };

    [Fact]
    public void Status_OnARedundantPair_SaysSoFirst_AndExits0_ItsJsonToo()
    {
        using var pair = PairHarness.StartPair(Spec);
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", Wait), Dump(pair));
        }

        var (code, text, _) = Cli(pair, "A", "status");
        Assert.Equal(0, code);
        Assert.StartsWith("pair ", text);
        Assert.Contains("A active, node 2 standby hot, redundant", text.Split('\n')[0]);
        Assert.Contains("Links:", text);
        Assert.Contains("pump1", text);

        var (jsonCode, json, _) = Cli(pair, "A", "status", "--json");
        Assert.Equal(0, jsonCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(1, doc.RootElement.GetProperty("schema").GetInt32());
        Assert.Equal("redundant", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("Active", doc.RootElement.GetProperty("status").GetProperty("role").GetString());
    }

    [Fact]
    public void Status_WithTheStandbyGone_IsNotRedundant_Exit2_AndAnUnreachableAgentExits2()
    {
        using var pair = PairHarness.StartPair(Spec);
        pair.B.Dispose();
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer is null, Wait), Dump(pair));
        }

        var (code, text, _) = Cli(pair, "A", "status");
        Assert.Equal(2, code);
        Assert.Contains("NOT REDUNDANT", text.Split('\n')[0]);
        Assert.Contains("the peer is not heard on any link", text);

        var (unreachable, _, error) = Cli(pair, "B", "status");
        Assert.Equal(2, unreachable);
        Assert.Contains("agent unreachable", error);
    }

    [Fact]
    public void State_SetGetDelete_OnTheActive_RefusedOnTheStandbyWithExit3_AndEventsShowTheRoleChange()
    {
        using var pair = PairHarness.StartPair(Spec);

        Assert.Equal(0, Cli(pair, "A", "state", "set", "setpoints/boiler", "{\"celsius\":72.5}").Code);
        var (getCode, got, _) = Cli(pair, "A", "state", "get", "setpoints/boiler");
        Assert.Equal(0, getCode);
        Assert.Contains("setpoints/boiler = {\"celsius\":72.5}", got);

        var (refused, _, why) = Cli(pair, "B", "state", "set", "setpoints/boiler", "1");
        Assert.Equal(3, refused);
        Assert.Contains("refused", why);

        var (badJson, _, badWhy) = Cli(pair, "A", "state", "set", "k", "not json");
        Assert.Equal(64, badJson);
        Assert.Contains("not JSON", badWhy);

        var (eventsCode, events, _) = Cli(pair, "A", "events");
        Assert.Equal(0, eventsCode);
        Assert.Contains(events.Split('\n'), l => l.Contains(" -> Active (epoch ", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigCheck_NamesEachProblemOfABrokenFile_Exit3_AndPassesTheExamples()
    {
        var dir = Directory.CreateTempSubdirectory("cli-config-");
        try
        {
            var broken = Path.Combine(dir.FullName, "agent.json");
            File.WriteAllText(broken, """{"pairId":7,"nodeId":0,"heartbeat":{"intervalMs":1,"peerTimeoutMs":3}}""");
            var (code, text, _) = Run("config", "check", broken);
            Assert.Equal(3, code);
            Assert.Contains("nodeId: must be from 1 to 255 (got 0)", text);
            Assert.Contains("heartbeat.peerTimeoutMs: must be at least 20 ms", text);
            Assert.Contains("gpio: is required", text);

            var example = Path.Combine(AgentBinary.RepositoryRoot(), "firmware-config", "examples", "node-a.json");
            var (ok, okText, _) = Run("config", "check", example);
            Assert.Equal(0, ok);
            Assert.Contains("OK: node A (1) of pair 7", okText);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Help_ListsTheExitCodes()
    {
        var (code, text, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("64  usage error", text);
        Assert.Contains("2   status: not redundant; any command: agent unreachable", text);
    }

    [Fact]
    public void MaintenanceOn_ActiveKilled_StandbyDoesNotTakeOver_WithAnAlarm_OffOnTheSurvivorTakesOver()
    {
        using var pair = PairHarness.StartPair(Spec);
        var (on, onText, onError) = Cli(pair, "A", "maintenance", "on");
        Assert.True(on == 0, onError);
        Assert.Contains("maintenance on", onText);
        using (var b = pair.Control("B"))
        {
            Assert.True(Eventually(() => b.Status().Maintenance, Wait), "B never learned of the maintenance" + Dump(pair));
            Assert.Equal(0, b.Status().ServiceLevel);
        }

        var (statusCode, status, _) = Cli(pair, "A", "status");
        Assert.Equal(2, statusCode);
        Assert.Contains("MAINTENANCE", status.Split('\n')[0]);

        var killAt = pair.Cabinet.Mark("kill -9 A in maintenance");
        pair.A.Signal(Signals.Kill);
        Assert.True(pair.B.WaitForAlarm("MaintenanceBlocksTakeover", Wait, killAt) is not null, "no alarm on B" + Dump(pair));
        Hold(TimeSpan.FromMilliseconds(Spec.PeerTimeoutMs * 5));
        Assert.Equal("Standby", pair.B.Role);
        Assert.False(pair.DrivesAll("B"));

        var (off, offText, offError) = Cli(pair, "B", "maintenance", "off");
        Assert.True(off == 0, offError);
        Assert.Contains("ordinary takeover rules", offText);
        Assert.True(pair.B.WaitForRole("Active", Wait, killAt) is not null, Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));
        Assert.Contains(pair.B.NodeEvents, e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.Command && e.Subject == "maintenance" && e.Uid == 0);
    }

    [Fact]
    public void Switchover_OnTheActive_HandsOverToTheHotStandby_AndOnTheStandby_TakesItBack_EventsNameTheCaller()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(WaitRedundant(pair, "A"), Dump(pair));
        using (var a = pair.Control("A"))
        {
            Assert.True(a.Set("setpoints/flow", "12.5").Ok);
        }

        var mark = pair.Cabinet.Mark("switchover A -> B");
        var (code, text, error) = Cli(pair, "A", "switchover");
        Assert.True(code == 0, $"exit {code}: {error}{text}{Dump(pair)}");
        Assert.Contains("switched over: node 2 is active", text);
        Assert.Contains("command to drive", text); // the leg's table
        Assert.True(pair.B.WaitForRole("Active", Wait, mark) is not null, Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("B") && !Spec.Channels.Any(c => pair.Cabinet.IsDriving("A", c)), Wait), Dump(pair));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
        var took = pair.B.NodeEvents.Last(e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.RoleChanged && e.To == "Active");
        Assert.StartsWith("switchover:", took.Reason);
        Assert.Contains("uid 0", took.Reason);
        Assert.Contains(pair.A.NodeEvents, e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.RoleChanged && e.To == "Standby" && e.Reason!.Contains("uid 0", StringComparison.Ordinal));
        using (var b = pair.Control("B"))
        {
            Assert.Contains("12.5", b.Get("setpoints/flow").Value.ToString());
        }

        // Back, asked from the standby (the drill's second leg), with --json.
        Assert.True(WaitRedundant(pair, "B"), Dump(pair));
        var back = pair.Cabinet.Mark("switchover B -> A, asked on A");
        var (backCode, json, backError) = Cli(pair, "A", "switchover", "--json");
        Assert.True(backCode == 0, $"exit {backCode}: {backError}{json}{Dump(pair)}");
        using var doc = JsonDocument.Parse(json);
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("leg").GetProperty("to").GetInt32());
        Assert.True(pair.A.WaitForRole("Active", Wait, back) is not null, Dump(pair));
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void Switchover_Refused_WhenTheStandbyIsAbsent_OrThePairInMaintenance_Exit3_NothingMoves()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(WaitRedundant(pair, "A"), Dump(pair));
        Assert.Equal(0, Cli(pair, "A", "maintenance", "on").Code);
        var (code, _, error) = Cli(pair, "A", "switchover", "--force");
        Assert.Equal(3, code);
        Assert.Contains("maintenance", error);
        Assert.Equal(0, Cli(pair, "A", "maintenance", "off").Code);

        pair.B.Signal(Signals.Kill);
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer is null, Wait), Dump(pair));
        }

        var (absent, _, absentError) = Cli(pair, "A", "switchover");
        Assert.Equal(3, absent);
        Assert.Contains("not heard", absentError);
        Assert.Equal("Active", pair.A.Role);
        Assert.True(pair.DrivesAll("A"));
    }

    [Fact]
    public void Drill_SwitchesOverAndBack_MeasuresBothLegs_KeepsItAsAnEvent_RefusedWhenNotRedundant()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(WaitRedundant(pair, "A"), Dump(pair));
        var mark = pair.Cabinet.Mark("drill");

        var (code, text, error) = Cli(pair, "A", "drill");

        Assert.True(code == 0, $"exit {code}: {error}{text}{Dump(pair)}");
        Assert.Contains("drill passed", text);
        var legs = text.Split('\n').Where(l => l.TrimStart().StartsWith('1') || l.TrimStart().StartsWith('2')).ToArray();
        Assert.True(legs.Length == 2, text);
        Assert.Matches(@"^\s*1\s+node 1\s+node 2\s", legs[0]);
        Assert.Matches(@"^\s*2\s+node 2\s+node 1\s", legs[1]);
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));
        Assert.Equal(TimeSpan.Zero, pair.Cabinet.SettledTimeline().Overlap());
        Assert.Equal(2, pair.B.EventsSince(mark).Count(e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.RoleChanged));
        var drill = pair.A.WaitForEvent(e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.Command && e.Subject == "drill", Wait, mark);
        Assert.NotNull(drill);
        Assert.Contains("leg 2", drill!.Reason);
        Assert.Contains("overlap 0.0 ms", drill.Reason);

        pair.B.Signal(Signals.Kill);
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer is null, Wait), Dump(pair));
        }

        var (refused, _, why) = Cli(pair, "A", "drill", "--json");
        Assert.Equal(3, refused);
        Assert.Contains("not redundant", why + Cli(pair, "A", "drill").Error);
    }

    [Fact]
    public void SyncWriter_Through20Switchovers_LosesNothing_AndNoOutputIsEverDrivenByBoth()
    {
        using var pair = PairHarness.StartPair(Spec);
        var acked = new Dictionary<string, int>();
        var stop = false;
        var refused = 0;
        var unknown = 0;
        var writer = new Thread(() =>
        {
            var node = "A";
            for (var i = 0; !Volatile.Read(ref stop);)
            {
                try
                {
                    using var c = pair.Control(node);
                    while (!Volatile.Read(ref stop))
                    {
                        var key = $"w/{i % 50}";
                        var answer = c.Set(key, $"{{\"i\":{i}}}");
                        if (!answer.Ok)
                        {
                            if ((answer.Error ?? string.Empty).Contains("UNKNOWN", StringComparison.Ordinal))
                            {
                                Interlocked.Increment(ref unknown);
                            }

                            Interlocked.Increment(ref refused);
                            break;
                        }

                        lock (acked)
                        {
                            acked[key] = i;
                        }

                        i++;
                    }
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
                {
                }

                node = PairHarness.Other(node);
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        writer.Start();

        var active = "A";
        for (var round = 0; round < 20; round++)
        {
            Assert.True(WaitRedundant(pair, active), $"round {round}" + Dump(pair));
            Hold(TimeSpan.FromMilliseconds(50));
            using (var c = pair.Control(active))
            {
                var answer = c.Send<Redundancy.Protocol.Control.SwitchoverResponse>(new Redundancy.Protocol.Control.SwitchoverRequest());
                Assert.True(answer.Ok, $"round {round}: {answer.Error}" + Dump(pair));
            }

            active = PairHarness.Other(active);
            Assert.True(Eventually(() => pair.DrivesAll(active), Wait), $"round {round}" + Dump(pair));
        }

        Volatile.Write(ref stop, true);
        Assert.True(writer.Join(Wait));
        var overlap = pair.Cabinet.SettledTimeline().Overlap();
        Assert.True(overlap == TimeSpan.Zero, $"both nodes drove an output for {overlap.TotalMilliseconds:F2} ms" + Dump(pair));
        Assert.True(refused >= 1, "the writer never met a switchover");
        Assert.Equal(0, unknown); // a switchover waits for the writes in flight: none ends with an unknown outcome
        using var final = pair.Control(active);
        var held = final.List("w/").Items!.ToDictionary(x => x.Key, x => x.Value!.Value.GetProperty("i").GetInt32());
        lock (acked)
        {
            Assert.NotEmpty(acked);
            foreach (var (key, value) in acked)
            {
                Assert.True(held.TryGetValue(key, out var v) && v >= value, $"{key}: acknowledged {value}, the new active holds {(held.TryGetValue(key, out var h) ? h : "nothing")}");
            }
        }
    }

    [Fact]
    public void ReleaseStartup_ANodeWaitingForAPeerItNeverHeard_StartsAlone_TheEventNamesTheCaller()
    {
        using var pair = PairHarness.Create(Spec with { SoloStart = false });
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForAlarm("WaitingForPeer", Wait) is not null, Dump(pair));
        Hold(TimeSpan.FromMilliseconds(300));
        Assert.Equal("Starting", pair.A.Role);
        Assert.False(pair.DrivesAll("A"));

        var (code, output, error) = Cli(pair, "A", "release-startup");

        Assert.True(code == 0, output + error + Dump(pair));
        Assert.Contains("starts alone", output);
        Assert.NotNull(pair.A.WaitForRole("Active", Wait));
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait), Dump(pair));
        var took = pair.A.WaitForEvent(e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.RoleChanged && e.To == "Active", Wait);
        Assert.Contains($"released by hand, asked by uid {GetEuid()}", took!.Reason);
        var command = pair.A.WaitForEvent(e => e.Kind == Redundancy.Protocol.Events.NodeEventKind.Command && e.Subject == "release-startup", Wait);
        Assert.Equal(GetEuid(), command!.Uid);

        var (again, _, why) = Cli(pair, "A", "release-startup");
        Assert.Equal(3, again);
        Assert.Contains("no start-up to release", why);
    }

    private static int GetEuid() => int.Parse(ExternalProcess.Run("id", "-u").Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void UsageErrors_Exit64_NamingTheProblem()
    {
        var (code, _, error) = Run("statsu");
        Assert.Equal(64, code);
        Assert.Contains("statsu", error);
    }

    private static bool WaitRedundant(PairHarness pair, string active)
    {
        using var c = pair.Control(active);
        return Eventually(() => c.Status() is { Role: "Active", Peer.Readiness: "Hot" } s && s.Links.All(l => l.Up), Wait);
    }

    private static (int Code, string Out, string Error) Cli(PairHarness pair, string node, params string[] args) =>
        Run([.. args, "--socket", pair.ControlSocket(node)]);

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(AgentBinary.LocateBuilt(Path.Combine("src", "Redundancy.Cli"), "redundancyctl.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"redundancyctl {string.Join(' ', args)} did not end in 30 s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
