using System.Globalization;
using Redundancy.Protocol.Events;

namespace Redundancy.Simulation.Harness;

/// <summary>One of an agent's <see cref="NodeEvent"/>s as the harness received it through the control socket.</summary>
/// <param name="Event">The event.</param>
/// <param name="T">When the harness received it, on the machine's monotonic clock (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>,
/// the clock of <see cref="Cabinet.SimulatedCabinet.Now"/> and <see cref="Cabinet.SimulatedCabinet.Mark"/>).</param>
public sealed record ReceivedEvent(NodeEvent Event, long T);

/// <summary>Reading <see cref="NodeEvent"/>s in tests and benchmarks.</summary>
public static class NodeEventExtensions
{
    /// <summary>Whether it is a takeover: a role change to Active that carries the takeover's measured times.</summary>
    public static bool IsTakeover(this NodeEvent e) => e is { Kind: NodeEventKind.RoleChanged, To: "Active", TakeoverMs: not null };

    /// <summary>Whether it is a role change to <paramref name="role"/>.</summary>
    public static bool IsRoleChange(this NodeEvent e, string role) => e.Kind == NodeEventKind.RoleChanged && e.To == role;

    /// <summary>Whether it is an alarm of kind <paramref name="alarm"/> being raised.</summary>
    public static bool IsAlarmRaised(this NodeEvent e, string alarm) => e.Kind == NodeEventKind.AlarmRaised && e.Alarm == alarm;

    /// <summary>One line in the words of the journal's line for it (a takeover: its role change line, 401; see
    /// <see cref="DescribeTakeover"/>), for printing.</summary>
    public static string Describe(this NodeEvent e) => e.Kind switch
    {
        NodeEventKind.RoleChanged => $"{e.Node}: role {e.From} -> {e.To} (epoch {e.Epoch}): {e.Reason}",
        NodeEventKind.AlarmRaised => $"{e.Node}: ALARM {e.Alarm} ({e.Subject}): {e.Reason}",
        NodeEventKind.AlarmCleared => $"{e.Node}: alarm cleared {e.Alarm} ({e.Subject}): {e.Reason}",
        NodeEventKind.LinkUp or NodeEventKind.LinkDown => $"{e.Node}: {e.Subject} link {(e.Kind == NodeEventKind.LinkUp ? "up" : "down")}: {e.Reason}",
        _ => $"{e.Node}: {e.Reason}",
    };

    /// <summary>A takeover in the words of the journal's takeover line (402).</summary>
    public static string DescribeTakeover(this NodeEvent e) => string.Create(CultureInfo.InvariantCulture,
        $"{e.Node}: took over as active, epoch {e.Epoch}: {e.Reason}; detection {e.DetectionMs ?? 0:F1} ms, takeover {e.TakeoverMs ?? 0:F2} ms");
}
