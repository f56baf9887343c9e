using Redundancy.Core.Heartbeat;
using Redundancy.Edges.Links;
using Redundancy.Edges.Scheduling;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Runs on a link's receiving thread: authenticates each payload, judges its sequence, counts drops per
/// reason, and posts accepted frames to the engine. Owns its codec (not thread-safe) and replay filter.
/// </summary>
internal sealed class LinkReceiver : IFrameSink, IDisposable
{
    private readonly int _index;
    private readonly IHeartbeatLink _link;
    private readonly HeartbeatCodec _codec;
    private readonly ReplayFilter _replay = new();
    private readonly EngineInbox _inbox;
    private readonly TimeProvider _time;
    private readonly uint _pairId;
    private readonly byte _nodeId;
    private RealtimeThread.NormalPriority? _relaxed;

    public LinkReceiver(int index, IHeartbeatLink link, byte[] key, uint pairId, byte nodeId, EngineInbox inbox, TimeProvider time)
    {
        _index = index;
        _link = link;
        _codec = new HeartbeatCodec(key);
        _inbox = inbox;
        _time = time;
        _pairId = pairId;
        _nodeId = nodeId;
    }

    public void OnFrame(ReadOnlySpan<byte> payload)
    {
        var receivedAt = _time.GetTimestamp();
        var reason = _codec.TryDecode(payload, _pairId, _nodeId, out var frame);
        if (reason == DropReason.None)
        {
            reason = _replay.Check(frame.Sequence);
        }

        _link.Counters.CountReceived(reason);
        if (reason == DropReason.None)
        {
            _inbox.Post(new InboundFrame(_index, frame, receivedAt));
        }

        AllocationProbe.Sample();
    }

    public void OnFramingError(DropReason reason) => _link.Counters.CountReceived(reason);

    public void OnRecovering(bool recovering)
    {
        if (recovering && !_relaxed.HasValue)
        {
            _relaxed = RealtimeThread.Relax();
        }
        else if (!recovering && _relaxed is { } relaxed)
        {
            relaxed.Dispose();
            _relaxed = null;
        }
    }

    public void Dispose() => _codec.Dispose();
}
