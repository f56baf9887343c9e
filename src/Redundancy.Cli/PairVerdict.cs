using Redundancy.Protocol.Status;

namespace Redundancy.Cli;

/// <summary>How redundant the pair is, as one node sees it: the summary line and the exit code of <c>status</c>.</summary>
/// <param name="Verdict">redundant, degraded or not-redundant.</param>
/// <param name="Summary">"pair 7: A active, node 2 standby hot, redundant".</param>
/// <param name="Reasons">Why it is not redundant or degraded, in plain words.</param>
/// <param name="ExitCode">0, 1 or 2.</param>
internal sealed record PairVerdict(string Verdict, string Summary, IReadOnlyList<string> Reasons, int ExitCode)
{
    public static PairVerdict Of(NodeStatus s)
    {
        var reasons = new List<string>();
        var peer = s.Peer;
        var selfActive = s.Role == "Active";
        var peerActive = peer?.Role == "Active";
        var standbyReadiness = selfActive ? peer?.Readiness : s.Readiness;
        var notRedundant = false;
        if (peer is null)
        {
            reasons.Add("the peer is not heard on any link");
            notRedundant = true;
        }

        if (!selfActive && !peerActive)
        {
            reasons.Add("no node is active");
            notRedundant = true;
        }
        else if (selfActive && peerActive)
        {
            reasons.Add("both nodes announce Active");
            notRedundant = true;
        }
        else if (peer is not null && standbyReadiness != "Hot")
        {
            reasons.Add($"the standby is {Words(standbyReadiness ?? "NotReady")}, not hot");
        }

        if (s.Maintenance)
        {
            reasons.Add("the pair is in MAINTENANCE: no automatic takeover (redundancyctl maintenance off ends it)");
            notRedundant = true;
        }

        if (s.Role is "Faulted" or "Stopping" or "Maintenance")
        {
            reasons.Add($"this node is {s.Role}");
            notRedundant |= s.Role != "Maintenance";
        }

        foreach (var l in s.Links.Where(l => !l.Up))
        {
            reasons.Add($"{l.Name} link down");
        }

        if (s.Witness is { Reachable: false } w && !s.Alarms.Any(a => a.Kind == "WitnessUnreachable"))
        {
            // The alarm says so on an active once the witness has been silent for two leases; the status says it at once.
            reasons.Add($"the witness ({w.Address}) does not answer this node: if both links went silent now, the standby could not take over");
        }

        foreach (var a in s.Alarms)
        {
            reasons.Add($"alarm {a.Kind} ({a.Subject}): {a.Text}");
        }

        var verdict = notRedundant ? "not-redundant" : reasons.Count > 0 ? "degraded" : "redundant";
        var self = $"{s.Node} {Words(s.Role)}{(s.Role == "Standby" ? " " + Words(s.Readiness) : string.Empty)}";
        var other = peer is null ? "peer not heard" : $"node {peer.NodeId} {Words(peer.Role)}{(peer.Role == "Standby" ? " " + Words(peer.Readiness) : string.Empty)}";
        var summary = $"pair {s.PairId}: {self}, {other}, {(s.Maintenance ? "MAINTENANCE, " : string.Empty)}{(notRedundant ? "NOT REDUNDANT" : verdict)}";
        return new PairVerdict(verdict, summary, reasons,
            notRedundant ? ExitCodes.NotRedundantOrUnreachable : reasons.Count > 0 ? ExitCodes.Degraded : ExitCodes.Ok);
    }

    /// <summary>"NotReady" as "not ready", "Active" as "active".</summary>
    public static string Words(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
