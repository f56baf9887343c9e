namespace Redundancy.Edges.Net;

/// <summary>Limits of one <see cref="BoundedListener"/>. Immutable; validated by the listener's constructor.</summary>
public sealed record BoundedListenerOptions
{
    /// <summary>Most connections served at once (admitted or not); one more is refused at once. Default 16.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>Most connections not yet admitted (in their handshake) at once; one more is refused. Default: as
    /// <see cref="MaxConnections"/>, i.e. no separate limit.</summary>
    public int? MaxPending { get; init; }

    /// <summary>How long a connection may take to be admitted (its handshake) before it is closed. Default 5 s.</summary>
    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an admitted connection may go without activity before it is closed; infinite to never
    /// close it (a protocol with keepalives of its own). Default infinite.</summary>
    public TimeSpan IdleTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>First pause after a failed accept (EMFILE, ENFILE, ENOBUFS...); doubles up to
    /// <see cref="MaxBackoff"/> while accept keeps failing. Default 50 ms.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest pause between failing accepts. Default 1 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    internal int PendingLimit => MaxPending ?? MaxConnections;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(PendingLimit, 1, nameof(MaxPending));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PendingLimit, MaxConnections, nameof(MaxPending));
        if (PendingTimeout <= TimeSpan.Zero || (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan))
        {
            throw new ArgumentOutOfRangeException(nameof(PendingTimeout), "timeouts must be positive (or infinite for IdleTimeout)");
        }

        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(MinBackoff), "backoff must be positive and MaxBackoff >= MinBackoff");
        }
    }
}
