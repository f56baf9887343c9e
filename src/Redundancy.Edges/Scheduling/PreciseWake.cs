using System.Runtime.InteropServices;
using Redundancy.Edges.Interop;

namespace Redundancy.Edges.Scheduling;

/// <summary>
/// An auto-reset wake-up with a timeout finer than a millisecond: a Linux eventfd that <see cref="Set"/> writes and
/// <see cref="Wait"/> polls (<c>ppoll</c>, nanosecond timeout). Every managed wait (<c>WaitHandle.WaitOne</c>,
/// <c>SemaphoreSlim</c>) takes whole milliseconds, so the engine, waking for a deadline 0.3 ms away, slept a full
/// millisecond: up to 1 ms late on every peer timeout and on the unfenced takeover's 2 ms hold. Allocates nothing.
/// </summary>
public sealed partial class PreciseWake : IDisposable
{
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int Eintr = 4;
    private const int Eagain = 11;
    private readonly int _fd;
    private int _disposed;

    /// <summary>Makes the eventfd; throws when the kernel refuses (it names the errno).</summary>
    public PreciseWake()
    {
        _fd = EventFd(0, EfdCloexec | EfdNonblock);
        if (_fd < 0)
        {
            throw new IOException($"eventfd failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>Wakes the waiter (now, or at its next <see cref="Wait"/>). Any thread; never blocks.</summary>
    public unsafe void Set()
    {
        ulong one = 1;
        _ = Write(_fd, &one, 8); // EAGAIN only when the counter is near 2^64: the waiter is woken anyway
    }

    /// <summary>Waits until <see cref="Set"/> or <paramref name="timeout"/> (to the microsecond); true when set. Resets.</summary>
    public unsafe bool Wait(TimeSpan timeout)
    {
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(Math.Max(0, timeout.Ticks) * (System.Diagnostics.Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
        var ticks = Math.Max(0, timeout.Ticks);
        var poll = new PollCalls.PollFd { Fd = _fd, Events = PollCalls.PollIn };
        while (true)
        {
            var spec = new PollCalls.TimeSpec { Seconds = (nint)(ticks / TimeSpan.TicksPerSecond), Nanoseconds = (nint)(ticks % TimeSpan.TicksPerSecond * 100) };
            var n = PollCalls.PPoll(&poll, 1, &spec, null);
            if (n > 0)
            {
                ulong value;
                var read = Read(_fd, &value, 8);
                return read == 8 || Marshal.GetLastPInvokeError() != Eagain;
            }

            if (n == 0)
            {
                return false;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                throw new IOException($"ppoll on the engine's eventfd failed (errno {errno})");
            }

            // EINTR (a signal): ppoll does not say how long is left; wait out the rest.
            ticks = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), deadline).Ticks;
            if (ticks <= 0)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = Close(_fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
