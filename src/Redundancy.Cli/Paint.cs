using System.CommandLine;

namespace Redundancy.Cli;

/// <summary>Colour for redundancyctl's text output: ANSI escapes around a word, or the word as it is.</summary>
/// <remarks>
/// On in <c>--color auto</c> (the default) only when stdout is a terminal, <c>NO_COLOR</c> is unset or empty
/// (https://no-color.org) and <c>TERM</c> is not <c>dumb</c>, so a pipe, a log file, a monitoring check and a dumb
/// terminal get plain text. <c>--color always|never</c> override all three, as no-color.org says a command-line
/// argument should. <c>--json</c> output never goes through here. Callers lay text out on the plain words and wrap
/// them afterwards: an escape takes no column on the screen.
/// </remarks>
internal sealed class Paint
{
    /// <summary>Plain text: every method returns its argument.</summary>
    public static readonly Paint None = new(false);

    /// <summary>ANSI SGR escapes.</summary>
    public static readonly Paint Ansi = new(true);

    // After these the pair has lost its cover or may drive twice, or this node cannot serve (README, Alarms); every
    // other alarm, and one this list does not know yet, is a degradation.
    private static readonly HashSet<string> SevereAlarms = new(StringComparer.Ordinal)
    {
        "PeerLost", "WaitingForPeer", "InterlockBlocksTakeover", "UnfencedTakeover", "DuplicateNodeId", "MisconfiguredPeer",
        "DualActive", "StateNotAgreed", "StorageFault", "MaintenanceBlocksTakeover",
    };

    private Paint(bool on) => On = on;

    /// <summary>The root option <c>--color auto|always|never</c>, recursive, default auto.</summary>
    public static Option<string> Option { get; } = CreateOption();

    /// <summary>True when this paint writes escapes.</summary>
    public bool On { get; }

    /// <summary>The paint for this run: <c>--color</c>, stdout and the environment.</summary>
    public static Paint For(ParseResult p) =>
        Wanted(p.GetValue(Option), Console.IsOutputRedirected, Environment.GetEnvironmentVariable("NO_COLOR"), Environment.GetEnvironmentVariable("TERM"))
            ? Ansi
            : None;

    /// <summary>Whether to colour: <paramref name="mode"/> always or never decides; auto (or null) colours a terminal
    /// only, and not with <paramref name="noColor"/> set to anything but the empty string or <paramref name="term"/> dumb.</summary>
    public static bool Wanted(string? mode, bool outputRedirected, string? noColor, string? term) => mode switch
    {
        "always" => true,
        "never" => false,
        _ => !outputRedirected && string.IsNullOrEmpty(noColor) && term != "dumb",
    };

    public string Green(string text) => Sgr("32", text);

    public string Yellow(string text) => Sgr("33", text);

    public string Red(string text) => Sgr("31", text);

    public string BoldYellow(string text) => Sgr("1;33", text);

    /// <summary>A role, as its name ("Active") or in words ("active"): active green, faulted and stopping red,
    /// maintenance yellow, any other (standby, starting) plain.</summary>
    public string Role(string? role) => role is null ? string.Empty : role.ToUpperInvariant() switch
    {
        "ACTIVE" => Green(role),
        "FAULTED" or "STOPPING" => Red(role),
        "MAINTENANCE" => Yellow(role),
        _ => role,
    };

    /// <summary>The verdict at the end of the summary line: redundant green, degraded yellow, NOT REDUNDANT red;
    /// the MAINTENANCE before it bold yellow.</summary>
    public string Summary(PairVerdict v)
    {
        var tail = v.Verdict switch
        {
            "redundant" => "redundant",
            "degraded" => "degraded",
            _ => "NOT REDUNDANT",
        };
        if (!On || !v.Summary.EndsWith(tail, StringComparison.Ordinal))
        {
            return Maintenance(v.Summary);
        }

        var word = tail == "redundant" ? Green(tail) : tail == "degraded" ? Yellow(tail) : Red(tail);
        return Maintenance(v.Summary[..^tail.Length]) + word;
    }

    /// <summary>Every MAINTENANCE in <paramref name="text"/> bold yellow: the pair takes over on nothing meanwhile.</summary>
    public string Maintenance(string text) => On ? text.Replace("MAINTENANCE", BoldYellow("MAINTENANCE"), StringComparison.Ordinal) : text;

    /// <summary>A link state cell: DOWN red, up plain.</summary>
    public string LinkState(string state) => state == "DOWN" ? Red(state) : state;

    /// <summary>An alarm's text, red when the alarm <paramref name="kind"/> means the pair has lost its cover, else yellow.</summary>
    public string Alarm(string? kind, string text) => kind is not null && SevereAlarms.Contains(kind) ? Red(text) : Yellow(text);

    /// <summary>An event kind's name: LinkDown red, the others plain.</summary>
    public string EventKind(string kind) => kind == "LinkDown" ? Red(kind) : kind;

    private string Sgr(string code, string text) => On && text.Length > 0 ? $"\e[{code}m{text}\e[0m" : text;

    private static Option<string> CreateOption()
    {
        var o = new Option<string>("--color")
        {
            Description = "Colour the text: auto (at a terminal, unless NO_COLOR is set or TERM=dumb), always, never; --json never has colour",
            DefaultValueFactory = _ => "auto",
            Recursive = true,
        };
        o.AcceptOnlyFromAmong("auto", "always", "never");
        return o;
    }
}
