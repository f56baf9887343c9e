using System.Text.Json;
using System.Text.RegularExpressions;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>redundancyctl's colour, from the real binary against a real pair: at a terminal unless NO_COLOR or
/// TERM=dumb, never into a pipe unless asked, never in --json.</summary>
[Collection("pair")]
public sealed partial class CliColourTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync" };

    // What auto would colour if nothing but the rule under test stood in the way.
    private static readonly Dictionary<string, string?> ColourTerminal = new() { ["TERM"] = "xterm-256color", ["NO_COLOR"] = null };

    [Fact]
    public void Status_IsColouredAtATerminal_OrWithColorAlways_AndPlainIntoAPipe_WithNoColor_TermDumb_ColorNever_OrJson()
    {
        using var pair = PairHarness.StartPair(Spec);
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", Wait), Dump(pair));
        }

        var socket = pair.ControlSocket("A");
        var terminal = Status(socket, ColourTerminal, atTerminal: true);
        Assert.Matches(PaintedVerdict(), terminal.Split("\r\n").First(l => l.Contains("pair ", StringComparison.Ordinal)));
        Assert.Contains("\e[32mactive\e[0m", terminal);

        var always = Status(socket, ColourTerminal, atTerminal: false, "--color", "always");
        Assert.Matches(PaintedVerdict(), always.Split('\n')[0]);
        Assert.Contains("\e[32mactive\e[0m", always);

        Assert.DoesNotMatch(Sgr(), Status(socket, ColourTerminal, atTerminal: false));
        Assert.DoesNotMatch(Sgr(), Status(socket, ColourTerminal, atTerminal: true, "--color", "never"));
        Assert.DoesNotMatch(Sgr(), Status(socket, new() { ["TERM"] = "xterm-256color", ["NO_COLOR"] = "1" }, atTerminal: true));
        Assert.DoesNotMatch(Sgr(), Status(socket, new() { ["TERM"] = "dumb", ["NO_COLOR"] = null }, atTerminal: true));
        Assert.Matches(Sgr(), Status(socket, new() { ["TERM"] = "xterm-256color", ["NO_COLOR"] = "" }, atTerminal: true));

        var json = Status(socket, ColourTerminal, atTerminal: false, "--json", "--color", "always");
        Assert.DoesNotContain('\e', json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("Active", doc.RootElement.GetProperty("status").GetProperty("role").GetString());
    }

    [Fact]
    public void Events_ColourTheRoles_WithColorAlways_AndNotIntoAPipe()
    {
        using var pair = PairHarness.StartPair(Spec);
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Dump(pair));

        var (code, coloured, error) = Redundancyctl.Run(["events", "--color", "always", "--socket", pair.ControlSocket("A")], ColourTerminal);
        Assert.True(code == 0, error);
        Assert.Contains(coloured.Split('\n'), l => l.Contains(" -> \e[32mActive\e[0m (epoch ", StringComparison.Ordinal));

        var (_, plain, _) = Redundancyctl.Run(["events", "--socket", pair.ControlSocket("A")], ColourTerminal);
        Assert.Contains(" -> Active (epoch ", plain);
        Assert.DoesNotMatch(Sgr(), plain);
    }

    // Any verdict will do (a loaded machine may drop a frame and make the pair degraded for a moment): what is tested
    // is whether it is painted.
    private static string Status(string socket, Dictionary<string, string?> environment, bool atTerminal, params string[] args)
    {
        var (code, text, error) = Redundancyctl.Run(["status", "--socket", socket, .. args], environment, atTerminal);
        Assert.True(code is 0 or 1 or 2, $"status exited {code}: {error}{text}");
        return text;
    }

    [GeneratedRegex(@"\e\[3[123]m(redundant|degraded|NOT REDUNDANT)\e\[0m\r?$")]
    private static partial Regex PaintedVerdict();

    // A colour (SGR) escape. Other escapes may appear at a terminal: .NET writes keypad mode (ESC [?1h ESC =) there.
    [GeneratedRegex(@"\e\[[0-9;]*m")]
    private static partial Regex Sgr();
}
