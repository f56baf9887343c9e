namespace Redundancy.Edges.Systemd;

/// <summary>
/// Tells systemd how the service is doing, on a thread of its own (never a heartbeat thread, never the thread pool,
/// whose starvation must not starve the watchdog): READY=1 once <see cref="ServiceState.Ready"/>, STATUS= when the
/// status line changes, WATCHDOG=1 every half <c>WATCHDOG_USEC</c> but only while the service's loop made progress
/// within <see cref="SystemdNotifyOptions.MaxProgressAge"/> (so a hung loop is restarted by systemd while a live
/// process with a dead loop is not kept alive by this thread), EXTEND_TIMEOUT_USEC while starting and progressing,
/// STOPPING=1 on <see cref="Stop"/>. Decisions use <see cref="TimeProvider"/> timestamps; <see cref="Tick"/> is one
/// round, for tests with a fake clock.
/// </summary>
public sealed class SystemdNotifyLoop : IDisposable
{
    /// <summary>How often a starting service extends its start timeout, and by how much each time.</summary>
    private static readonly TimeSpan ExtendEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ExtendBy = TimeSpan.FromSeconds(5);

    private readonly SystemdNotifyOptions _options;
    private readonly IServiceStateSource _source;
    private readonly TimeProvider _time;
    private readonly ISystemdNotifyObserver? _observer;
    private readonly SystemdNotifier _notifier;
    private readonly ManualResetEventSlim _stop = new(false);
    private readonly Lock _gate = new();
    private Thread? _thread;
    private string? _status;
    private long _nextWatchdog;
    private long _nextExtend;
    private long _withheldSince = -1;
    private bool _stopped;

    /// <summary>A loop that notifies the socket in <paramref name="options"/> about what <paramref name="source"/> reads.</summary>
    public SystemdNotifyLoop(SystemdNotifyOptions options, IServiceStateSource source, TimeProvider time, ISystemdNotifyObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _source = source;
        _time = time;
        _observer = observer;
        _notifier = new SystemdNotifier(options.NotifySocket) { FirstFailure = e => observer?.SendFailed(e) };
        _nextWatchdog = time.GetTimestamp();
        _nextExtend = _nextWatchdog;
    }

    /// <summary>Whether READY=1 went out.</summary>
    public bool ReadySent { get; private set; }

    /// <summary>WATCHDOG=1 sent.</summary>
    public long WatchdogPings { get; private set; }

    /// <summary>Times the watchdog was withheld because the loop stopped making progress (episodes, not polls).</summary>
    public long WatchdogWithholds { get; private set; }

    /// <summary>Messages that could not be sent.</summary>
    public long SendFailures => _notifier.Failed;

    /// <summary>Starts the notifier's thread (normal priority, a background thread).</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "sd-notify" };
        _thread.Start();
    }

    /// <summary>One round: reads the state, sends what changed and, when due, WATCHDOG=1. Not thread-safe with itself
    /// (the loop's thread, or a test, calls it).</summary>
    public void Tick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var state = _source.Read();
            var progressing = _time.GetElapsedTime(state.LastProgress, now) <= _options.MaxProgressAge;
            if (!ReadySent && state.Ready)
            {
                if (_notifier.Send($"READY=1\nSTATUS={state.Status}"))
                {
                    ReadySent = true;
                    _status = state.Status;
                    _observer?.Ready(state.Status);
                }
            }
            else if (!ReferenceEquals(state.Status, _status) && state.Status != _status && _notifier.Send($"STATUS={state.Status}"))
            {
                _status = state.Status;
            }

            if (!ReadySent && progressing && now >= _nextExtend)
            {
                // A start-up window may be long (up to 10 min): systemd's start timeout only catches a start that hangs.
                _notifier.Send($"EXTEND_TIMEOUT_USEC={(long)ExtendBy.TotalMicroseconds}");
                _nextExtend = now + Ticks(ExtendEvery);
            }

            if (_options.WatchdogPeriod is { } period && now >= _nextWatchdog)
            {
                Feed(now, state.LastProgress, progressing, period);
            }
        }
    }

    /// <summary>Sends STOPPING=1 and ends the thread; nothing is sent after it (a stopping agent is not fed: its
    /// stop is bounded by TimeoutStopSec).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _notifier.Send("STOPPING=1\nSTATUS=stopping");
        }

        _stop.Set();
        _thread?.Join(TimeSpan.FromSeconds(2));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _notifier.Dispose();
        _stop.Dispose();
    }

    private void Feed(long now, long lastProgress, bool progressing, TimeSpan period)
    {
        if (!progressing)
        {
            // Checked again at every poll, so the ping goes out as soon as the loop goes on.
            if (_withheldSince < 0)
            {
                _withheldSince = now;
                WatchdogWithholds++;
                _observer?.WatchdogWithheld(_time.GetElapsedTime(lastProgress, now));
            }

            return;
        }

        if (_withheldSince >= 0)
        {
            _observer?.WatchdogResumed(_time.GetElapsedTime(_withheldSince, now));
            _withheldSince = -1;
        }

        if (_notifier.Send("WATCHDOG=1"))
        {
            WatchdogPings++;
        }

        _nextWatchdog = now + Ticks(period);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private void Run()
    {
        // The wait is on an event, not Task.Delay: a timer completes its task on the thread pool, and a starved pool
        // must not look like a hung engine to systemd.
        do
        {
            try
            {
                Tick();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                try
                {
                    _observer?.Failed(ex);
                }
                catch (Exception reportFailure) when (reportFailure is not OutOfMemoryException)
                {
                    // a reporter that throws must not end the loop it reports on
                }
            }
        }
        while (!_stop.Wait(_options.Poll));
    }
}
