using System.Runtime.InteropServices;

namespace Redundancy.Edges.Interop;

/// <summary>libc's <c>poll</c> and <c>ppoll</c>, shared by the edges that wait on a descriptor of their own (the serial
/// device, the netlink socket, the engine's eventfd).</summary>
internal static unsafe partial class PollCalls
{
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct timespec of the plain ppoll symbol: C long and time_t, 64 bits on arm64 and x64, 32 on armhf
    /// (whose glibc keeps the 32-bit time_t ABI under this name; the 64-bit one is __ppoll64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    /// <summary>Polls one descriptor for <paramref name="events"/> (callable from async code); poll's result.</summary>
    public static int PollOne(int fd, short events, int timeoutMs)
    {
        var poll = new PollFd { Fd = fd, Events = events };
        return Poll(&poll, 1, timeoutMs);
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    public static partial int PPoll(PollFd* fds, nuint count, TimeSpec* timeout, void* sigmask);
}
