namespace Redundancy.Edges.Systemd;

/// <summary>What <see cref="SystemdNotifyLoop"/> reports, for the journal. Called on the notifier's thread, at most
/// once per episode (never once per poll).</summary>
public interface ISystemdNotifyObserver
{
    /// <summary>READY=1 went out, with <paramref name="status"/>.</summary>
    void Ready(string status);

    /// <summary>The service's loop made no progress for <paramref name="sinceProgress"/>: WATCHDOG=1 is withheld from
    /// now on, and systemd restarts the service unless the loop goes on within the watchdog timeout.</summary>
    void WatchdogWithheld(TimeSpan sinceProgress);

    /// <summary>The loop made progress again after <paramref name="withheldFor"/> without pings.</summary>
    void WatchdogResumed(TimeSpan withheldFor);

    /// <summary>A send failed after sending had worked (or for the first time); the next failures are only counted.</summary>
    void SendFailed(string error);

    /// <summary>A round of the loop threw; the loop goes on at its next poll.</summary>
    void Failed(Exception error);
}
