using Microsoft.Extensions.Logging;
using Redundancy.Agent.Diagnostics;
using Redundancy.Edges.Scheduling;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The heartbeat and engine threads: each raised to the configured real-time priority under the spin guard, and
/// registered with the allocation probe; the collector's threads one above them. Owns the spin guard.
/// </summary>
internal sealed class RealtimeThreads : IDisposable
{
    private readonly int _priority;
    private readonly ILogger _log;
    private readonly string _node;
    private readonly List<Thread> _threads = [];
    private int _warned;

    public RealtimeThreads(int priority, ILogger log, string node)
    {
        _priority = priority;
        _log = log;
        _node = node;
        Guard = priority > 0 && OperatingSystem.IsLinux() ? new SpinGuard(priority) : null;
    }

    /// <summary>The spin guard of the real-time threads; null when they run at normal priority.</summary>
    public SpinGuard? Guard { get; }

    /// <summary>Collector threads raised above the heartbeat threads.</summary>
    public int CollectorThreadsRaised { get; private set; }

    /// <summary>Starts the guard and raises the collector's threads (see <see cref="RealtimeThread"/>).</summary>
    public void Prepare()
    {
        if (Guard?.Start() is { } guardProblem)
        {
            Log.ConfigWarning(_log, _node, guardProblem);
        }

        (CollectorThreadsRaised, var collectorProblem) = RealtimeThread.TryElevateCollectorThreads(_priority > 0 ? _priority + 1 : 0);
        if (collectorProblem is not null)
        {
            Log.ConfigWarning(_log, _node, collectorProblem);
        }
    }

    /// <summary>Starts <paramref name="body"/> on a new real-time thread named <paramref name="name"/>.</summary>
    public void Start(string name, Action body)
    {
        var thread = new Thread(() =>
        {
            if (RealtimeThread.TryElevate(_priority, Guard, name) is { } problem && Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.ConfigWarning(_log, _node, problem);
            }

            AllocationProbe.Register(name);
            body();
        })
        { IsBackground = true, Name = name };
        _threads.Add(thread);
        thread.Start();
    }

    /// <summary>Waits for every thread to end, each at most <paramref name="each"/>.</summary>
    public void Join(TimeSpan each)
    {
        foreach (var t in _threads)
        {
            t.Join(each);
        }
    }

    public void Dispose() => Guard?.Dispose();
}
