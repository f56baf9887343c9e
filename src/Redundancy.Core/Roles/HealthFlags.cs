namespace Redundancy.Core.Roles;

/// <summary>Health bits a node announces in every heartbeat. Carried on the wire.</summary>
[Flags]
public enum HealthFlags : ushort
{
    /// <summary>Nothing to report.</summary>
    None = 0,

    /// <summary>The sender does not hear its peer on the serial link.</summary>
    SerialLinkDown = 1 << 0,

    /// <summary>The sender does not hear its peer on the UDP link.</summary>
    UdpLinkDown = 1 << 1,

    /// <summary>The sender's outputs failed.</summary>
    OutputsFault = 1 << 2,

    /// <summary>The sender's storage failed.</summary>
    StorageFault = 1 << 3,

    /// <summary>The sender has a hardware interlock input wired.</summary>
    InterlockWired = 1 << 4,

    /// <summary>The sender's outputs are fed through a watchdog relay.</summary>
    WatchdogWired = 1 << 5,

    /// <summary>The sender stepped down moments ago because both nodes were active: the winner may never have heard
    /// the loser claim Active (it yielded at the first frame), and raises its dual-active alarm from this.</summary>
    YieldedToPeer = 1 << 6,

    /// <summary>The pair is in maintenance as this node knows it: no automatic takeover on either node (a node that
    /// hears it keeps it, even when the announcing node then falls silent, until it hears it cleared).</summary>
    Maintenance = 1 << 7,

    /// <summary>The sender was active and hands over to its peer (a switchover): it has released its outputs, its
    /// last change is the frame's last applied sequence, and the peer takes over at once. Repeated in every frame
    /// until the peer is heard active or the handover times out (then the sender resumes).</summary>
    HandingOver = 1 << 8,

    /// <summary>With <see cref="HandingOver"/>: forced (<c>switchover --force</c>): the peer takes over whatever its
    /// readiness, and may lack changes the sender has.</summary>
    HandoverForced = 1 << 9,

    /// <summary>The sender is the standby and asks the active to hand over to it (a switchover run on the standby, the
    /// second leg of a drill); the frame's handover uid names the caller, <see cref="HandoverForced"/> a forced one.
    /// Repeated until the sender is active or the request times out.</summary>
    RequestsHandover = 1 << 10,
}
