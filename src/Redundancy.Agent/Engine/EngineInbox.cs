namespace Redundancy.Agent.Engine;

/// <summary>
/// Frames from the receiving threads to the engine: a fixed ring of value types under a short lock, so the
/// hot path allocates nothing. When full, the oldest frame is dropped (a newer one says more).
/// </summary>
internal sealed class EngineInbox : IDisposable
{
    private readonly InboundFrame[] _ring = new InboundFrame[256];
    private readonly Lock _gate = new();
    private int _head;
    private int _count;

    /// <summary>Set whenever a frame arrives; the engine waits on it.</summary>
    public AutoResetEvent Wake { get; } = new(false);

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _count == 0;
            }
        }
    }

    public void Post(in InboundFrame frame)
    {
        lock (_gate)
        {
            if (_count == _ring.Length)
            {
                _head = (_head + 1) % _ring.Length;
                _count--;
            }

            _ring[(_head + _count) % _ring.Length] = frame;
            _count++;
        }

        Wake.Set();
    }

    public bool TryTake(out InboundFrame frame)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                frame = default;
                return false;
            }

            frame = _ring[_head];
            _head = (_head + 1) % _ring.Length;
            _count--;
            return true;
        }
    }

    public void Dispose() => Wake.Dispose();
}
