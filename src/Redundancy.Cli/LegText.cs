using System.Globalization;
using System.Text;
using Redundancy.Protocol.Control;

namespace Redundancy.Cli;

/// <summary>The legs of a switchover or drill as a table: who handed over to whom, and what each leg measured.</summary>
internal static class LegText
{
    public static string Render(IReadOnlyList<SwitchoverLeg> legs)
    {
        var rows = new List<string[]> { new[] { "leg", "from", "to", "epoch", "command to drive", "output gap", "overlap", "lag", "writes paused" } };
        rows.AddRange(legs.Select((l, i) => new[]
        {
            (i + 1).ToString(CultureInfo.InvariantCulture),
            $"node {l.From}",
            l.To == 0 ? "nobody" : $"node {l.To}",
            l.Epoch.ToString(CultureInfo.InvariantCulture),
            Ms(l.CommandToDriveMs),
            Ms(l.GapMs),
            l.OverlapMs is { } o ? Ms(o) : "not shown",
            $"{l.LagEntries} entries",
            Ms(l.ConfirmMs),
        }));
        var b = new StringBuilder();
        StatusText.Table(b, rows);
        return b.ToString().TrimEnd('\n');
    }

    private static string Ms(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture) + " ms";
}
