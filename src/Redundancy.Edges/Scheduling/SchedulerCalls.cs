using System.Runtime.InteropServices;

namespace Redundancy.Edges.Scheduling;

/// <summary>The kernel's scheduling calls, for <see cref="RealtimeThread"/> and <see cref="SpinGuard"/>.</summary>
internal static partial class SchedulerCalls
{
    public const int Other = 0; // SCHED_OTHER
    public const int Fifo = 1; // SCHED_FIFO
    public const int ResetOnFork = 0x40000000; // SCHED_RESET_ON_FORK

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    /// <summary>sched_setscheduler; 0 on success, else see Marshal.GetLastPInvokeError.</summary>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static partial int SetScheduler(int tid, int policy, ref int priority);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    public static partial int GetScheduler(int tid);
}
