namespace Redundancy.Protocol.Control;

/// <summary>One switchover as the node that ran it measured it.</summary>
/// <param name="From">Node id active before.</param>
/// <param name="To">Node id active after (0 when none took over).</param>
/// <param name="Epoch">The new active's epoch.</param>
/// <param name="CommandToDriveMs">From the command to the new active driving every output (on the node that handed
/// over: until it heard the peer active, an upper bound).</param>
/// <param name="GapMs">Outputs driven by no node (an upper bound on the node that handed over; an estimate on the node
/// that took over: its detection and takeover plus half the link's round trip).</param>
/// <param name="OverlapMs">Outputs driven by both nodes: 0 when the new active took over from the handover frame (it
/// drives only after a frame the old one sent after it released its outputs); null when that is not shown (it took over
/// by another rule).</param>
/// <param name="LagEntries">Changes the standby had not acknowledged when the command came.</param>
/// <param name="ConfirmMs">Writes paused while the standby confirmed every change.</param>
public sealed record SwitchoverLeg(int From, int To, ulong Epoch, double CommandToDriveMs, double GapMs, double? OverlapMs, long LagEntries, double ConfirmMs);

/// <summary>The answer to a switchover: what happened in plain words, and the leg measured.</summary>
public sealed record SwitchoverResponse : ControlResponse
{
    /// <summary>What happened.</summary>
    public string? Text { get; init; }

    /// <summary>The switchover as measured.</summary>
    public SwitchoverLeg? Leg { get; init; }
}

/// <summary>The answer to a drill: both legs, measured.</summary>
public sealed record DrillResponse : ControlResponse
{
    /// <summary>What happened.</summary>
    public string? Text { get; init; }

    /// <summary>There and back.</summary>
    public IReadOnlyList<SwitchoverLeg>? Legs { get; init; }
}
