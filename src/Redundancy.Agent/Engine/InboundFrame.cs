using Redundancy.Core.Heartbeat;

namespace Redundancy.Agent.Engine;

/// <summary>What an authentic, non-replayed frame proves, as its receiving thread judged it.</summary>
internal enum FrameEvidence : byte
{
    /// <summary>The peer's, echoing a recent frame of ours: the peer is alive.</summary>
    Fresh,

    /// <summary>The peer's, not echoing us, but new from an instance that proved fresh moments ago (see
    /// <see cref="Evidence.Known"/>): alive, though it does not hear us.</summary>
    Known,

    /// <summary>The peer's, echoing nothing recent of ours: it does not hear us, or it is a recording.</summary>
    Unverified,

    /// <summary>Another instance with our own node id, echoing us: a duplicate node id, proven.</summary>
    Duplicate,
}

/// <summary>An authentic, non-replayed frame handed from a link's receiving thread to the engine.</summary>
/// <param name="Link">Index of the link it came on.</param>
/// <param name="Frame">The frame.</param>
/// <param name="ReceivedAt">When its bytes were read (<see cref="TimeProvider.GetTimestamp"/>).</param>
/// <param name="Evidence">What it proves.</param>
internal readonly record struct InboundFrame(int Link, HeartbeatFrame Frame, long ReceivedAt, FrameEvidence Evidence = FrameEvidence.Fresh);
