using System.Globalization;
using System.Text;
using Redundancy.Protocol.Status;

namespace Redundancy.Cli;

/// <summary>The status screen, laid out like <c>pcs status</c>: the summary line, then nodes, links, outputs, alarms.</summary>
internal static class StatusText
{
    public static string Render(NodeStatus s, PairVerdict v)
    {
        var b = new StringBuilder();
        b.AppendLine(v.Summary);
        foreach (var reason in v.Reasons)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"  ! {reason}");
        }

        b.AppendLine();
        b.AppendLine("Nodes:");
        var rows = new List<string[]>
        {
            new[] { "node", "role", "epoch", "readiness", "service level", "mode" },
            new[] { $"{s.Node} (id {s.NodeId}, this node)", PairVerdict.Words(s.Role), s.Epoch.ToString(CultureInfo.InvariantCulture), PairVerdict.Words(s.Readiness), s.ServiceLevel.ToString(CultureInfo.InvariantCulture), s.Mode },
        };
        if (s.Peer is { } p)
        {
            rows.Add([$"node {p.NodeId} (peer, as heard)", PairVerdict.Words(p.Role), p.Epoch == 0 ? string.Empty : p.Epoch.ToString(CultureInfo.InvariantCulture),
                PairVerdict.Words(p.Readiness), p.Mode is null ? string.Empty : p.ServiceLevel.ToString(CultureInfo.InvariantCulture), p.Mode ?? string.Empty]);
        }
        else
        {
            rows.Add(["peer", "not heard", string.Empty, string.Empty, string.Empty, string.Empty]);
        }

        Table(b, rows);
        b.AppendLine();
        b.AppendLine("Links:");
        var links = new List<string[]> { new[] { "link", "state", "frames/s", "round trip", "dropped" } };
        links.AddRange(s.Links.Select(l => new[]
        {
            l.Name, l.Up ? "up" : "DOWN", l.FramesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
            l.RoundTripMs is { } rt ? rt.ToString("F1", CultureInfo.InvariantCulture) + " ms" : "-",
            l.Dropped.Values.Sum().ToString(CultureInfo.InvariantCulture),
        }));
        Table(b, links);
        if (s.Replication is { } r)
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture,
                $"Replication: {r.Mode}, standby {(r.StandbyConnected ? "connected" : "not connected")}, lag {r.LagEntries} entries / {r.LagMs:F0} ms{(r.FallenBackToAsync ? ", FALLEN BACK TO ASYNC" : string.Empty)}");
        }

        b.AppendLine();
        b.AppendLine("Outputs:");
        var outputs = new List<string[]> { new[] { "output", "value", "driven by this node" } };
        outputs.AddRange(s.Outputs.Select(o => new[] { o.Name, o.Value ? "on" : "off", o.Driven ? "yes" : "no" }));
        Table(b, outputs);
        b.AppendLine();
        if (s.Alarms.Count == 0)
        {
            b.AppendLine("Alarms: none");
        }
        else
        {
            b.AppendLine("Alarms:");
            foreach (var a in s.Alarms)
            {
                b.AppendLine(CultureInfo.InvariantCulture, $"  {a.Since:yyyy-MM-dd HH:mm:ss}Z  {a.Kind} ({a.Subject}): {a.Text}");
            }
        }

        if (s.LastTakeover is { } t)
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture,
                $"Last takeover: epoch {t.Epoch} at {t.At:yyyy-MM-dd HH:mm:ss}Z, detection {t.DetectionMs:F1} ms, takeover {t.TakeoverMs:F2} ms: {t.Reason}");
        }

        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"Agent {s.Version}, up {TimeSpan.FromSeconds(s.UptimeSeconds):d\\.hh\\:mm\\:ss}");
        return b.ToString();
    }

    internal static void Table(StringBuilder b, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
        {
            b.Append("  ");
            b.AppendLine(string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
