using Microsoft.Win32.SafeHandles;

namespace Redundancy.Edges.Net;

/// <summary>
/// A few file descriptors held open (on /dev/null) so that the process never runs out of its last ones through a
/// listener: .NET needs two free descriptors to start any thread (a pipe per new thread; without them
/// <c>Thread.Start</c> throws OutOfMemoryException and a thread-pool worker that cannot start ends the process,
/// measured here). A <see cref="BoundedListener"/> serves a connection only while it can hold the whole reserve,
/// and releases it when accept fails with EMFILE: the runtime keeps room to start threads while descriptors are
/// scarce, and connections are shed (accepted and closed at once) until the reserve can be held again.
/// </summary>
/// <remarks>Thread-safe. All or nothing: a reserve that cannot be held whole holds nothing.</remarks>
public sealed class DescriptorReserve : IDisposable
{
    private readonly SafeFileHandle?[] _held;
    private readonly Lock _gate = new();

    /// <summary>A reserve of <paramref name="count"/> descriptors, not yet held.</summary>
    public DescriptorReserve(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _held = new SafeFileHandle?[count];
    }

    /// <summary>The reserve every listener of the process shares: 4 descriptors (two thread starts).</summary>
    public static DescriptorReserve Shared { get; } = new(4);

    /// <summary>Whether the whole reserve is held now.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_gate)
            {
                return _held[^1] is not null;
            }
        }
    }

    /// <summary>Holds the whole reserve (it may be held already); false, holding nothing, when descriptors are short.</summary>
    public bool TryHold()
    {
        lock (_gate)
        {
            if (_held[^1] is not null)
            {
                return true;
            }

            try
            {
                for (var i = 0; i < _held.Length; i++)
                {
                    _held[i] ??= File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                CloseAll();
                return false;
            }
        }
    }

    /// <summary>Closes the reserve: its descriptors are free for the runtime (and anyone else) now.</summary>
    public void Release()
    {
        lock (_gate)
        {
            CloseAll();
        }
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private void CloseAll()
    {
        for (var i = 0; i < _held.Length; i++)
        {
            _held[i]?.Dispose();
            _held[i] = null;
        }
    }
}
