using System.Globalization;
using System.Text;
using Redundancy.Protocol.Status;

namespace Redundancy.Cli;

/// <summary>The status screen, laid out like <c>pcs status</c>: the summary line, then nodes, links, outputs, alarms.</summary>
internal static class StatusText
{
    /// <summary>The screen, in colour when <paramref name="paint"/> is on (default: plain).</summary>
    public static string Render(NodeStatus s, PairVerdict v, Paint? paint = null)
    {
        paint ??= Paint.None;
        var b = new StringBuilder();
        b.AppendLine(paint.Summary(v));
        foreach (var reason in v.Reasons)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"  ! {paint.Maintenance(reason)}");
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

        Table(b, rows, (column, cell) => column == 1 ? paint.Role(cell) : cell);
        b.AppendLine();
        b.AppendLine("Links:");
        var links = new List<string[]> { new[] { "link", "state", "frames/s", "round trip", "dropped" } };
        links.AddRange(s.Links.Select(l => new[]
        {
            l.Name, l.Up ? "up" : "DOWN", l.FramesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
            l.RoundTripMs is { } rt ? rt.ToString("F1", CultureInfo.InvariantCulture) + " ms" : "-",
            l.Dropped.Values.Sum().ToString(CultureInfo.InvariantCulture),
        }));
        Table(b, links, (column, cell) => column == 1 ? paint.LinkState(cell) : cell);
        if (s.Replication is { } r)
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture,
                $"Replication: {r.Mode}, standby {(r.StandbyConnected ? "connected" : "not connected")}, lag {r.LagEntries} entries / {r.LagMs:F0} ms{(r.FallenBackToAsync ? ", FALLEN BACK TO ASYNC" : string.Empty)}");
        }

        if (s.Witness is { } w)
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture, $"Witness: {WitnessLine(w)}");
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
                b.Append("  ").AppendLine(paint.Alarm(a.Kind, string.Create(CultureInfo.InvariantCulture, $"{a.Since:yyyy-MM-dd HH:mm:ss}Z  {a.Kind} ({a.Subject}): {a.Text}")));
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

    /// <summary>"lease at 10.0.0.5:5407, reachable, holder node 1, this node's lease 80 ms left, last answer 12 ms ago".</summary>
    internal static string WitnessLine(WitnessStatus w)
    {
        var state = w.Reachable switch
        {
            true => "reachable",
            false => "NOT ANSWERING",
            null => "not asked (the peer is heard)",
        };
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"{w.Mode} at {w.Address}, {state}");
        if (w.Mode == "lease")
        {
            b.Append(w.Holder is { } h ? string.Create(CultureInfo.InvariantCulture, $", holder node {h}") : ", no holder known");
            b.Append(w.LeaseRemainingMs is > 0 ? string.Create(CultureInfo.InvariantCulture, $", this node's lease {w.LeaseRemainingMs:F0} ms left") : ", this node holds no lease");
        }

        b.Append(w.LastAnswerAgeMs is { } age ? string.Create(CultureInfo.InvariantCulture, $", last answer {age:F0} ms ago") : ", no answer since start");
        return b.ToString();
    }

    // Widths come from the plain cells and the padding goes outside the escapes, so a coloured table lines up as a
    // plain one does. The header row is never coloured.
    internal static void Table(StringBuilder b, List<string[]> rows, Func<int, string, string>? colour = null)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var cells = rows[i].Select((cell, c) => (i > 0 && colour is not null ? colour(c, cell) : cell) + new string(' ', widths[c] - cell.Length));
            b.Append("  ");
            b.AppendLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
