using Redundancy.Core.Heartbeat;

namespace Redundancy.Agent.Engine;

/// <summary>An authentic, non-replayed frame handed from a link's receiving thread to the engine.</summary>
/// <param name="Link">Index of the link it came on.</param>
/// <param name="Frame">The frame.</param>
/// <param name="ReceivedAt">When its bytes were read (<see cref="TimeProvider.GetTimestamp"/>).</param>
internal readonly record struct InboundFrame(int Link, HeartbeatFrame Frame, long ReceivedAt);
