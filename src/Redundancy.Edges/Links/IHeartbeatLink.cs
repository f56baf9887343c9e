using Redundancy.Core.Heartbeat;

namespace Redundancy.Edges.Links;

/// <summary>
/// One heartbeat link to the peer. The link only moves bytes: framing for its medium, reconnects, counters.
/// Authentication and role decisions happen above it.
/// </summary>
/// <remarks>
/// Concurrency contract: <see cref="Send"/> is called from one sending thread, <see cref="RunReceiver"/>
/// runs on one receiving thread, <see cref="HasPendingInput"/> is called from the engine thread.
/// </remarks>
public interface IHeartbeatLink : IDisposable
{
    /// <summary>The link's name ("serial", "udp").</summary>
    string Name { get; }

    /// <summary>The link's counters.</summary>
    LinkCounters Counters { get; }

    /// <summary>Whether the kernel or this link still holds received bytes not yet handed to the sink.</summary>
    bool HasPendingInput { get; }

    /// <summary>Sends one heartbeat frame. Never blocks longer than the link's write timeout.</summary>
    void Send(ReadOnlySpan<byte> frame);

    /// <summary>Receives frames until <paramref name="cancellationToken"/> fires or the link is disposed,
    /// reopening the device or socket after errors. Blocks the calling (dedicated) thread.</summary>
    void RunReceiver(IFrameSink sink, CancellationToken cancellationToken);
}
