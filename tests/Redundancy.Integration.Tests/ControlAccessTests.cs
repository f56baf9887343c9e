using Redundancy.Edges.Security;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// Who may do what through the control socket of a real agent, judged by SO_PEERCRED: callers in other processes run
/// as other users (the tests run as root).
/// </summary>
[Collection("pair")]
public sealed class ControlAccessTests
{
    private const uint Nobody = 65534;
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, SoloStart = true };

    [Fact]
    public void CallerOfAnotherUid_MayReadButNotChange()
    {
        using var pair = StartSolo();
        // Reading is open to whoever can open the socket: this installation lets every local user open it.
        File.SetUnixFileMode(pair.ControlSocket("A"), (UnixFileMode)0b110_110_110);
        using var nobody = new OtherUserControl(pair.ControlSocket("A"), Nobody, Nobody);

        var status = nobody.Send<StatusResponse>(new StatusRequest());
        var events = nobody.Send<EventsResponse>(new EventsRequest());
        var set = nobody.Send<WriteResponse>(new SetRequest("setpoints/boiler", ControlProtocol.Value("70")));
        var delete = nobody.Send<WriteResponse>(new DeleteRequest("setpoints/boiler"));
        var switchover = nobody.Send<SwitchoverResponse>(new SwitchoverRequest(Force: true));
        var drill = nobody.Send<DrillResponse>(new DrillRequest());
        var maintenance = nobody.Send<CommandResponse>(new MaintenanceRequest(true));

        Assert.True(status.Ok, status.Error);
        Assert.Equal("A", status.Status!.Node);
        Assert.True(events.Ok, events.Error);
        Assert.False(set.Ok);
        Assert.Equal("uid 65534 may not set: changing ops need root (uid 0); no control.group is configured to let a group change the node", set.Error);
        Assert.False(delete.Ok);
        Assert.StartsWith("uid 65534 may not delete", delete.Error);
        Assert.False(switchover.Ok);
        Assert.StartsWith("uid 65534 may not switchover: changing ops need root", switchover.Error);
        Assert.StartsWith("uid 65534 may not drill", drill.Error);
        Assert.StartsWith("uid 65534 may not maintenance", maintenance.Error);
        Assert.Equal("Active", nobody.Send<StatusResponse>(new StatusRequest()).Status!.Role);
        using var root = pair.Control("A");
        Assert.False(root.Get("setpoints/boiler").Ok, "the refused write must not be stored");
        Assert.DoesNotContain(root.Events().Events!, e => e.Kind == NodeEventKind.Command);
        Assert.True(Eventually(() => pair.A.Lines.Any(l => l.Contains("refused set from uid 65534", StringComparison.Ordinal)), Wait), Tail(pair));
    }

    [Fact]
    public void Root_MayChange_AndTheEventNamesUid0()
    {
        using var pair = StartSolo();
        using var root = pair.Control("A");
        var before = root.Events().Last;

        var set = root.Set("setpoints/boiler", "72");
        var delete = root.Delete("setpoints/boiler");

        Assert.True(set.Ok, set.Error);
        Assert.True(delete.Ok, delete.Error);
        // The first write is told alone; the ones after it within a second in one event at the window's end.
        NodeEvent[] commands = [];
        Assert.True(Eventually(() => (commands = root.Events(before).Events!.Where(e => e.Kind == NodeEventKind.Command).ToArray()).Length == 2, Wait));
        Assert.Equal(["set", "writes"], commands.Select(e => e.Subject));
        Assert.All(commands, e => Assert.Equal(0, e.Uid));
        Assert.Contains($"change {set.Sequence} ", commands[0].Reason);
        Assert.Contains("setpoints/boiler", commands[0].Reason);
        Assert.Contains($"sequences {delete.Sequence}..{delete.Sequence}, the last delete setpoints/boiler", commands[1].Reason);
    }

    [Fact]
    public void MemberOfTheConfiguredGroup_MayChange_AndTheEventNamesItsUid()
    {
        using var pair = PairHarness.Create(Spec);
        var group = GroupNamed(Nobody);
        pair.EditConfig("A", c => c["control"]!["group"] = group);
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));
        using var root = pair.Control("A");
        var before = root.Events().Last;
        File.SetUnixFileMode(pair.ControlSocket("A"), (UnixFileMode)0b110_110_110);
        using var member = new OtherUserControl(pair.ControlSocket("A"), Nobody, Nobody);

        var set = member.Send<WriteResponse>(new SetRequest("setpoints/boiler", ControlProtocol.Value("71")));

        Assert.True(set.Ok, set.Error);
        var command = Assert.Single(root.Events(before).Events!, e => e.Kind == NodeEventKind.Command);
        Assert.Equal((int)Nobody, command.Uid);
        Assert.Equal("71", Text(root.Get("setpoints/boiler").Value));
    }

    [Fact]
    public void CallerOutsideTheConfiguredGroup_IsRefusedNamingTheGroup()
    {
        using var pair = PairHarness.Create(Spec);
        var group = GroupNamed(Nobody);
        pair.EditConfig("A", c => c["control"]!["group"] = group);
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));
        File.SetUnixFileMode(pair.ControlSocket("A"), (UnixFileMode)0b110_110_110);
        using var daemon = new OtherUserControl(pair.ControlSocket("A"), 1, 1); // uid and gid "daemon": not in that group

        var set = daemon.Send<WriteResponse>(new SetRequest("k", ControlProtocol.Value("1")));

        Assert.False(set.Ok);
        Assert.Equal($"uid 1 may not set: changing ops need root (uid 0) or membership of group {group} (gid {Nobody})", set.Error);
    }

    [Fact]
    public void ControlGroupTheMachineDoesNotKnow_RefusesTheConfigNamingIt()
    {
        using var pair = PairHarness.Create(Spec);
        pair.EditConfig("A", c => c["control"]!["group"] = "no-such-group-here");

        var (code, output) = ExternalProcess.Run("timeout", ["20", "dotnet", AgentBinary.Locate(), "--config", pair.ConfigPath("A")]);

        Assert.Equal(78, code);
        Assert.Contains("control.group: there is no group \"no-such-group-here\" on this machine", output);
    }

    private static PairHarness StartSolo()
    {
        var pair = PairHarness.Create(Spec);
        try
        {
            pair.StartAgent("A");
            Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    private static string Tail(PairHarness pair) => "\n" + string.Join('\n', pair.A.Lines.TakeLast(25));

    // "nogroup" on Debian, "nobody" elsewhere: whatever this machine calls gid 65534.
    private static string GroupNamed(uint gid)
    {
        var (code, output) = ExternalProcess.Run("getent", "group", gid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, $"this machine has no group {gid}");
        var name = output.Split(':')[0];
        Assert.Equal(gid, UnixAccounts.GroupId(name));
        return name;
    }
}
