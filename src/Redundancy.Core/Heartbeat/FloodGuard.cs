namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Tells a real-time receiving thread when it is being flooded: more than <c>budget</c> datagrams within one window.
/// A flooded receiver runs at normal priority until a window passes within budget, so datagrams at line rate on the
/// heartbeat port (each one read, and the well-formed ones authenticated) share the processor fairly instead of
/// taking a core at real-time priority. The peer's own frames come a few per window at most.
/// </summary>
/// <remarks>Not thread-safe; owned by one receiving thread. Timestamps are <see cref="TimeProvider.GetTimestamp"/> values.</remarks>
public sealed class FloodGuard
{
    private readonly long _window;
    private readonly int _budget;
    private long _windowStart;
    private int _count;

    /// <summary>Creates a guard allowing <paramref name="budget"/> datagrams per <paramref name="windowTicks"/>.</summary>
    public FloodGuard(long windowTicks, int budget)
    {
        _window = windowTicks;
        _budget = budget;
    }

    /// <summary>Whether the receiver is flooded now.</summary>
    public bool Flooded { get; private set; }

    /// <summary>Counts one datagram received at <paramref name="now"/>; returns <see cref="Flooded"/>.</summary>
    public bool Count(long now)
    {
        if (now - _windowStart >= _window)
        {
            if (Flooded && _count <= _budget)
            {
                Flooded = false; // a window within budget: the flood is over
            }

            _windowStart = now;
            _count = 0;
        }

        if (++_count > _budget)
        {
            Flooded = true;
        }

        return Flooded;
    }
}
