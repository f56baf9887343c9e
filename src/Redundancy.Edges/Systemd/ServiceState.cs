namespace Redundancy.Edges.Systemd;

/// <summary>What the service says about itself to systemd, as read at one moment.</summary>
/// <param name="Ready">Whether start-up is over (the service manager is told READY=1 once, the first time).</param>
/// <param name="Status">One line for <c>systemctl status</c> (STATUS=), sent when it changes; the same string
/// instance while nothing changed, so comparing it costs nothing.</param>
/// <param name="LastProgress">When the service's main loop last made progress (a <see cref="TimeProvider"/>
/// timestamp): the watchdog is fed only while it is recent.</param>
public readonly record struct ServiceState(bool Ready, string Status, long LastProgress);
