using Redundancy.Core.Heartbeat;

namespace Redundancy.Edges.Tests;

/// <summary>Collects what a link delivers, for tests; thread-safe.</summary>
internal sealed class CollectingSink : IFrameSink
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _frames = [];
    private readonly List<DropReason> _errors = [];

    public IReadOnlyList<byte[]> Frames
    {
        get
        {
            lock (_gate)
            {
                return _frames.ToArray();
            }
        }
    }

    public IReadOnlyList<DropReason> Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToArray();
            }
        }
    }

    public void OnFrame(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            _frames.Add(payload.ToArray());
        }
    }

    public void OnFramingError(DropReason reason)
    {
        lock (_gate)
        {
            _errors.Add(reason);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false on timeout.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout) => Redundancy.Simulation.Harness.Poll.Until(condition, timeout);
}
