using Microsoft.Extensions.Logging;
using Redundancy.Edges.Net;

namespace Redundancy.Agent;

/// <summary>
/// Logs what a listener reports, at most once a second per kind with the count since the last line: a flood of
/// refused connections or failing accepts must not become a flood of log lines. Thread-safe.
/// </summary>
internal sealed class ListenerLog(ILogger log, string node, string listener, TimeProvider time) : IListenerObserver
{
    private readonly Lock _gate = new();
    private long _acceptFailedAt = long.MinValue;
    private long _refusedAt = long.MinValue;
    private long _acceptFailures;
    private long _refusals;

    public void AcceptFailed(Exception error, TimeSpan backoff)
    {
        if (Due(ref _acceptFailedAt, ref _acceptFailures) is { } count)
        {
            Log.AcceptFailed(log, node, listener, backoff.TotalMilliseconds, count, error.Message);
        }
    }

    public void Refused(string reason)
    {
        if (Due(ref _refusedAt, ref _refusals) is { } count)
        {
            Log.ConnectionRefused(log, node, listener, reason, count);
        }
    }

    public void HandlerFailed(Exception error) => Log.ConnectionFailed(log, node, listener, error.ToString());

    private long? Due(ref long lastAt, ref long count)
    {
        lock (_gate)
        {
            count++;
            var now = time.GetTimestamp();
            if (lastAt != long.MinValue && time.GetElapsedTime(lastAt, now) < TimeSpan.FromSeconds(1))
            {
                return null;
            }

            lastAt = now;
            var n = count;
            count = 0;
            return n;
        }
    }
}
