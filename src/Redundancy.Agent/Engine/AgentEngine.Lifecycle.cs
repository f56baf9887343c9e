using Redundancy.Edges.Scheduling;

namespace Redundancy.Agent.Engine;

/// <summary>The engine's threads: started, stopped gracefully, released in an emergency, disposed.</summary>
internal sealed partial class AgentEngine
{
    /// <summary>Starts the engine, receiving and sending threads.</summary>
    public void Start()
    {
        if (_guard?.Start() is { } guardProblem)
        {
            Log.ConfigWarning(_log, _node, guardProblem);
        }

        // The collector's threads one above the heartbeat threads, with the spin guard (see RealtimeThread).
        (_collectorThreadsRaised, var collectorProblem) = RealtimeThread.TryElevateCollectorThreads(_options.RealtimePriority > 0 ? _options.RealtimePriority + 1 : 0);
        if (collectorProblem is not null)
        {
            Log.ConfigWarning(_log, _node, collectorProblem);
        }

        for (var i = 0; i < _links.Count; i++)
        {
            var link = _links[i];
            var receiver = _receivers[i];
            var sender = _senders[i];
            StartThread($"rx-{link.Name}", () => link.RunReceiver(receiver, _stopping.Token));
            StartThread($"tx-{link.Name}", () => sender.Run(_stopping.Token));
        }

        StartThread("engine", Run);
    }

    /// <summary>
    /// Graceful stop: the engine releases the outputs and announces Stopping (so the peer takes over at once),
    /// lets a few heartbeats carry that, then ends every thread.
    /// </summary>
    public void Stop(TimeSpan timeout)
    {
        _stopRequested = true;
        _inbox.Wake.Set();
        _stopped.Wait(timeout);
        foreach (var s in _senders)
        {
            s.Kick.Set();
        }

        // Two intervals for the Stopping announcement to go out on every link.
        _stopping.Token.WaitHandle.WaitOne(_options.HeartbeatInterval * 2);
        _stopping.Cancel();
        foreach (var link in _links)
        {
            link.Dispose();
        }

        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }

        Log.Stopped(_log, _node);
    }

    /// <summary>Last resort from a crash handler: release outputs and drop "I am active", from any thread.</summary>
    public void EmergencyRelease()
    {
        try
        {
            _bank?.ReleaseAll();
            _bank?.DropActive();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // nothing more can be done from here; ExecStopPost releases the pins after exit
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _pauses.Dispose();
        _bank?.Dispose();
        foreach (var r in _receivers)
        {
            r.Dispose();
        }

        foreach (var s in _senders)
        {
            s.Dispose();
        }

        _inbox.Dispose();
        _guard?.Dispose();
        _stopping.Dispose();
        _stopped.Dispose();
    }

    private void StartThread(string name, Action body)
    {
        var thread = new Thread(() =>
        {
            if (RealtimeThread.TryElevate(_options.RealtimePriority, _guard, name) is { } problem && Interlocked.Exchange(ref _realtimeWarned, 1) == 0)
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
}
