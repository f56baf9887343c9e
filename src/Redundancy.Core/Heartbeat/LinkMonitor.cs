namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Debounced health of one heartbeat link, judged from the authentic frames it delivers: down after the
/// peer timeout without a frame, up again only after <see cref="FramesToComeUp"/> frames in a row, so a
/// flapping cable does not flap the alarm. Also counts frames per second.
/// </summary>
/// <remarks>Owned by the engine thread. Timestamps are <see cref="TimeProvider.GetTimestamp"/> values.</remarks>
public sealed class LinkMonitor
{
    /// <summary>Consecutive frames (each within the peer timeout of the last) that bring a link up.</summary>
    public const int FramesToComeUp = 3;

    private readonly TimeProvider _time;
    private readonly TimeSpan _downAfter;
    private long _lastFrameAt;
    private int _streak;
    private long _rateWindowStart;
    private int _rateCount;

    /// <summary>Creates a monitor for the link called <paramref name="name"/>.</summary>
    public LinkMonitor(string name, TimeProvider time, TimeSpan downAfter)
    {
        Name = name;
        _time = time;
        _downAfter = downAfter;
        _rateWindowStart = time.GetTimestamp();
    }

    /// <summary>The link starts listening now: the frame rate is counted from here (see <see cref="Roles.RoleStateMachine.Begin"/>).</summary>
    public void Begin() => _rateWindowStart = _time.GetTimestamp();

    /// <summary>The link's name ("serial", "udp").</summary>
    public string Name { get; }

    /// <summary>Whether the link currently carries the peer's heartbeats (debounced).</summary>
    public bool IsUp { get; private set; }

    /// <summary>Whether any authentic frame has ever arrived on this link.</summary>
    public bool EverHeard { get; private set; }

    /// <summary>Receive timestamp of the last authentic frame.</summary>
    public long LastFrameAt => _lastFrameAt;

    /// <summary>Authentic frames per second over the last complete one-second window.</summary>
    public double FramesPerSecond { get; private set; }

    /// <summary>Records an authentic frame received at <paramref name="receivedAt"/>.</summary>
    public void OnFrame(long receivedAt)
    {
        if (EverHeard && _time.GetElapsedTime(_lastFrameAt, receivedAt) > _downAfter)
        {
            _streak = 0;
        }

        EverHeard = true;
        if (receivedAt > _lastFrameAt)
        {
            _lastFrameAt = receivedAt;
        }

        _streak++;
        _rateCount++;
    }

    /// <summary>Updates the debounced state; returns true when it changed.</summary>
    public bool Evaluate(long now)
    {
        var window = _time.GetElapsedTime(_rateWindowStart, now);
        if (window >= TimeSpan.FromSeconds(1))
        {
            FramesPerSecond = _rateCount / window.TotalSeconds;
            _rateCount = 0;
            _rateWindowStart = now;
        }

        var silent = !EverHeard || _time.GetElapsedTime(_lastFrameAt, now) > _downAfter;
        if (IsUp && silent)
        {
            IsUp = false;
            _streak = 0;
            return true;
        }

        if (!IsUp && !silent && _streak >= FramesToComeUp)
        {
            IsUp = true;
            return true;
        }

        return false;
    }

    /// <summary>When the link goes down if no frame arrives, or null when it is down already.</summary>
    public long? DownDeadline(long now) =>
        IsUp ? _lastFrameAt + (long)(_downAfter.TotalSeconds * _time.TimestampFrequency) + 1 : null;
}
