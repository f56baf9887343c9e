using Microsoft.Extensions.Logging;
using Redundancy.Edges.Systemd;

namespace Redundancy.Agent.Hosting;

/// <summary>What the sd_notify loop reports, into the journal (events 51x); on the notifier's thread.</summary>
internal sealed class NotifyJournal(ILogger log, string node, EngineServiceState engine, TimeProvider time) : ISystemdNotifyObserver
{
    public void Ready(string status) => Log.NotifyReady(log, node, time.GetElapsedTime(engine.StartedAt).TotalMilliseconds, status);

    public void WatchdogWithheld(TimeSpan sinceProgress) => Log.WatchdogWithheld(log, node, sinceProgress.TotalMilliseconds);

    public void WatchdogResumed(TimeSpan withheldFor) => Log.WatchdogResumed(log, node, withheldFor.TotalMilliseconds);

    public void SendFailed(string error) => Log.NotifyFailed(log, node, error);

    public void Failed(Exception error) => Log.NotifyFailed(log, node, error.ToString());
}
