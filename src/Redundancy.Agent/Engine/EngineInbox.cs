using Redundancy.Edges.Scheduling;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Everything the engine takes, in one inbox of two fixed rings of value types under a short lock, so the hot path
/// allocates nothing: frames from the receiving threads (when full, the oldest frame is dropped: a newer one says
/// more), and the other inputs (commands, faults, verdicts, effect completions), which are never dropped: when that
/// ring is full, posting fails and the caller is told.
/// </summary>
internal sealed class EngineInbox : IDisposable
{
    private readonly InboundFrame[] _frames = new InboundFrame[256];
    private readonly EngineInput[] _inputs = new EngineInput[64];
    private readonly Lock _gate = new();
    private int _frameHead;
    private int _frameCount;
    private int _inputHead;
    private int _inputCount;

    /// <summary>Set whenever anything arrives; the engine waits on it, to the microsecond.</summary>
    public PreciseWake Wake { get; } = new();

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _frameCount == 0 && _inputCount == 0;
            }
        }
    }

    public void Post(in InboundFrame frame)
    {
        lock (_gate)
        {
            if (_frameCount == _frames.Length)
            {
                _frameHead = (_frameHead + 1) % _frames.Length;
                _frameCount--;
            }

            _frames[(_frameHead + _frameCount) % _frames.Length] = frame;
            _frameCount++;
        }

        Wake.Set();
    }

    /// <summary>Posts an input other than a frame; false when the inbox holds <c>64</c> of them already.</summary>
    public bool Post(in EngineInput input)
    {
        lock (_gate)
        {
            if (_inputCount == _inputs.Length)
            {
                return false;
            }

            _inputs[(_inputHead + _inputCount) % _inputs.Length] = input;
            _inputCount++;
        }

        Wake.Set();
        return true;
    }

    public bool TryTake(out InboundFrame frame)
    {
        lock (_gate)
        {
            if (_frameCount == 0)
            {
                frame = default;
                return false;
            }

            frame = _frames[_frameHead];
            _frameHead = (_frameHead + 1) % _frames.Length;
            _frameCount--;
            return true;
        }
    }

    public bool TryTake(out EngineInput input)
    {
        lock (_gate)
        {
            if (_inputCount == 0)
            {
                input = default;
                return false;
            }

            input = _inputs[_inputHead];
            _inputs[_inputHead] = default; // no reference kept to a finished command
            _inputHead = (_inputHead + 1) % _inputs.Length;
            _inputCount--;
            return true;
        }
    }

    public void Dispose() => Wake.Dispose();
}
