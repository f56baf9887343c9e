using System.Runtime.InteropServices;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Raises the calling thread, and only it, to SCHED_FIFO. The heartbeat path (engine, senders, receivers) must win
/// the CPU over everything else the agent and the box do; but the whole process at one real-time priority would
/// let a busy storage or control thread hold a core as long as it likes (FIFO threads of equal priority never
/// preempt each other: measured here, 48 ms engine stalls under a write storm). Needs CAP_SYS_NICE or
/// LimitRTPRIO (the unit file sets it); without, the thread stays as it was and the caller is told.
/// </summary>
internal static partial class RealtimeThread
{
    private const int SchedFifo = 1;

    /// <summary>Raises the calling thread to <paramref name="priority"/> (1-99); returns null or why it could not.</summary>
    public static string? TryElevate(int priority)
    {
        if (priority <= 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var param = priority;
        return SetScheduler(GetTid(), SchedFifo, ref param) == 0
            ? null
            : $"cannot raise heartbeat threads to real-time priority {priority} (errno {Marshal.GetLastPInvokeError()}): give the service CAP_SYS_NICE or LimitRTPRIO";
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int param);
}
