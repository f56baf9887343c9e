namespace Redundancy.Edges.Systemd;

/// <summary>
/// What systemd asked of this process, from its environment: where to notify (<c>NOTIFY_SOCKET</c>) and how often to
/// feed the watchdog (<c>WATCHDOG_USEC</c>, for this process only when <c>WATCHDOG_PID</c> is unset or ours).
/// </summary>
/// <param name="NotifySocket">The socket path or '@' abstract name.</param>
/// <param name="WatchdogTimeout">systemd's watchdog timeout (<c>WatchdogSec=</c>), or null when no watchdog is armed
/// for this process.</param>
public sealed record SystemdNotifyOptions(string NotifySocket, TimeSpan? WatchdogTimeout)
{
    /// <summary>How often the loop looks at the service's state (READY and STATUS go out within this). Default 100 ms.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>WATCHDOG=1 period: half the watchdog timeout, as sd_watchdog_enabled(3) advises; null without one.</summary>
    public TimeSpan? WatchdogPeriod => WatchdogTimeout / 2;

    /// <summary>
    /// How recent the service's progress must be for a WATCHDOG=1 (or, before READY, a start-timeout extension) to go
    /// out: half the watchdog timeout, so a hung loop misses the next ping and systemd acts one timeout later at the
    /// most; 1 s without a watchdog.
    /// </summary>
    public TimeSpan MaxProgressAge => WatchdogTimeout / 2 ?? TimeSpan.FromSeconds(1);

    /// <summary>
    /// The options from <paramref name="environment"/> (a lookup such as <see cref="Environment.GetEnvironmentVariable(string)"/>)
    /// for the process <paramref name="pid"/>; null when <c>NOTIFY_SOCKET</c> is unset (not started by systemd as
    /// Type=notify) or names no socket this notifier can reach.
    /// </summary>
    public static SystemdNotifyOptions? FromEnvironment(Func<string, string?> environment, int pid)
    {
        var socket = environment("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(socket) || socket[0] is not ('/' or '@'))
        {
            return null;
        }

        TimeSpan? watchdog = null;
        var forPid = environment("WATCHDOG_PID");
        if (long.TryParse(environment("WATCHDOG_USEC"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var usec)
            && usec > 0
            && (string.IsNullOrEmpty(forPid) || forPid == pid.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            watchdog = TimeSpan.FromMicroseconds(usec);
        }

        return new SystemdNotifyOptions(socket, watchdog);
    }
}
