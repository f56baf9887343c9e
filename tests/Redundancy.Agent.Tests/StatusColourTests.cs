using System.Text.RegularExpressions;
using Redundancy.Cli;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Tests;

/// <summary>redundancyctl's colour: when it is on, what the status screen paints, and that colour moves no column.</summary>
public sealed partial class StatusColourTests
{
    private static NodeStatus Status(string role = "Active", PeerStatus? peer = null, bool serialUp = true, bool maintenance = false, IReadOnlyList<AlarmStatus>? alarms = null) => new()
    {
        Node = "A", NodeId = 1, PairId = 7, Version = "test", StartedAt = DateTimeOffset.UnixEpoch, UptimeSeconds = 1,
        Role = role, Epoch = 257, Readiness = "Hot", ServiceLevel = 255, Mode = "primary-with-backup",
        LastSequence = 0, StorageCommits = 0, StorageEntries = 0, RoleChanges = 1, LastEventSequence = 1,
        Peer = peer, Maintenance = maintenance,
        Links = [new LinkStatus("serial", serialUp, 50, 1, 1, 0.4, 0, new Dictionary<string, long>()), new LinkStatus("udp", true, 50, 1, 1, 0.2, 0, new Dictionary<string, long>())],
        Outputs = [new OutputStatus("pump1", true, true)],
        Alarms = alarms ?? [],
    };

    private static readonly PeerStatus HotStandby = new(2, "Standby", "Hot", 0);

    private static AlarmStatus Alarm(string kind, string subject) => new(kind, subject, kind + " text", DateTimeOffset.UnixEpoch, 3);

    public static TheoryData<string> Screens => ["redundant", "serial down, LinkDown", "faulted under an active", "maintenance, peer lost"];

    private static NodeStatus Screen(string name) => name switch
    {
        "redundant" => Status(peer: HotStandby),
        "serial down, LinkDown" => Status(peer: HotStandby, serialUp: false, alarms: [Alarm("LinkDown", "serial")]),
        "faulted under an active" => Status(role: "Faulted", peer: new PeerStatus(2, "Active", "Hot", 0), alarms: [Alarm("StorageFault", "storage")]),
        "maintenance, peer lost" => Status(maintenance: true, alarms: [Alarm("PeerLost", "peer"), Alarm("StorageSlow", "storage")]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such screen"),
    };

    [Theory]
    [InlineData("auto", false, null, "xterm-256color", true)]
    [InlineData("auto", false, null, null, true)]
    [InlineData("auto", true, null, "xterm-256color", false)]
    [InlineData("auto", false, "1", "xterm-256color", false)]
    [InlineData("auto", false, "", "xterm-256color", true)]
    [InlineData("auto", false, null, "dumb", false)]
    [InlineData("always", true, "1", "dumb", true)]
    [InlineData("never", false, null, "xterm-256color", false)]
    public void Colour_InAuto_OnlyAtATerminalWithoutNoColorOrTermDumb_AlwaysAndNeverOverrideAll(string mode, bool redirected, string? noColor, string? term, bool expected) =>
        Assert.Equal(expected, Paint.Wanted(mode, redirected, noColor, term));

    [Fact]
    public void Redundant_PaintsTheVerdictAndTheActiveGreen_TheStandbyPlain()
    {
        var s = Status(peer: HotStandby);
        var lines = StatusText.Render(s, PairVerdict.Of(s), Paint.Ansi).Split('\n');
        Assert.Equal("pair 7: A active, node 2 standby hot, \e[32mredundant\e[0m", lines[0]);
        Assert.Contains("\e[32mactive\e[0m", lines.Single(l => l.Contains("this node)", StringComparison.Ordinal)));
        Assert.DoesNotContain('\e', lines.Single(l => l.Contains("(peer, as heard)", StringComparison.Ordinal)));
    }

    [Fact]
    public void Degraded_IsYellow_TheDownLinkRed_ALinkDownAlarmYellow()
    {
        var s = Status(peer: HotStandby, serialUp: false, alarms: [Alarm("LinkDown", "serial")]);
        var text = StatusText.Render(s, PairVerdict.Of(s), Paint.Ansi);
        Assert.EndsWith(", \e[33mdegraded\e[0m", text.Split('\n')[0]);
        Assert.Contains("\e[31mDOWN\e[0m", text);
        Assert.Contains("  \e[33m1970-01-01 00:00:00Z  LinkDown (serial): LinkDown text\e[0m\n", text);
    }

    [Fact]
    public void NotRedundant_IsRed_MaintenanceBoldYellow_APeerLostAlarmRed_AFaultedRoleRed()
    {
        var s = Status(maintenance: true, alarms: [Alarm("PeerLost", "peer"), Alarm("StorageSlow", "storage")]);
        var text = StatusText.Render(s, PairVerdict.Of(s), Paint.Ansi);
        Assert.EndsWith(", \e[1;33mMAINTENANCE\e[0m, \e[31mNOT REDUNDANT\e[0m", text.Split('\n')[0]);
        Assert.Contains("  ! the pair is in \e[1;33mMAINTENANCE\e[0m: no automatic takeover", text);
        Assert.Contains("  \e[31m1970-01-01 00:00:00Z  PeerLost (peer)", text);
        Assert.Contains("  \e[33m1970-01-01 00:00:00Z  StorageSlow (storage)", text);

        var faulted = Status(role: "Faulted", peer: new PeerStatus(2, "Active", "Hot", 0));
        var faultedText = StatusText.Render(faulted, PairVerdict.Of(faulted), Paint.Ansi);
        Assert.Contains("\e[31mfaulted\e[0m", faultedText);
        Assert.Contains("\e[32mactive\e[0m", faultedText);
    }

    [Theory]
    [InlineData("Active", "\e[32mActive\e[0m")]
    [InlineData("active", "\e[32mactive\e[0m")]
    [InlineData("Standby", "Standby")]
    [InlineData("Starting", "Starting")]
    [InlineData("Faulted", "\e[31mFaulted\e[0m")]
    [InlineData("Stopping", "\e[31mStopping\e[0m")]
    [InlineData("Maintenance", "\e[33mMaintenance\e[0m")]
    public void Roles_ActiveGreen_FaultedAndStoppingRed_MaintenanceYellow_OthersPlain(string role, string painted)
    {
        Assert.Equal(painted, Paint.Ansi.Role(role));
        Assert.Equal(role, Paint.None.Role(role));
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public void Plain_HasNoEscape_AndIsTheDefault(string name)
    {
        var s = Screen(name);
        var v = PairVerdict.Of(s);
        var plain = StatusText.Render(s, v, Paint.None);
        Assert.False(plain.Contains('\e', StringComparison.Ordinal), $"{name}: an escape in plain text");
        Assert.Equal(plain, StatusText.Render(s, v));
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public void Coloured_IsThePlainScreen_OnceTheEscapesAreStripped_EveryColumnWhereItWas(string name)
    {
        var s = Screen(name);
        var v = PairVerdict.Of(s);
        var coloured = StatusText.Render(s, v, Paint.Ansi);
        var plain = StatusText.Render(s, v, Paint.None);
        Assert.NotEqual(plain, coloured);
        Assert.Equal(plain, Sgr().Replace(coloured, string.Empty));

        // In the stripped screen each table's columns start where its header's do.
        var lines = Sgr().Replace(coloured, string.Empty).Split('\n');
        foreach (var (header, column) in new[] { ("  node ", "role"), ("  link ", "state") })
        {
            var top = Array.FindIndex(lines, l => l.StartsWith(header, StringComparison.Ordinal));
            var at = lines[top].IndexOf(column, StringComparison.Ordinal);
            foreach (var row in lines.Skip(top + 1).TakeWhile(l => l.Length > 0))
            {
                Assert.True(row[(at - 2)..at] == "  " && row[at] != ' ', $"{name}: '{row}' has no cell at column {at} under '{column}'");
            }
        }
    }

    [GeneratedRegex(@"\e\[[0-9;]*m")]
    private static partial Regex Sgr();
}
