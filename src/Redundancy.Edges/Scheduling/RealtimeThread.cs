using System.Runtime.InteropServices;

namespace Redundancy.Edges.Scheduling;

/// <summary>
/// Raises the calling thread, and only it, to SCHED_FIFO. The heartbeat path (engine, senders, receivers) must win
/// the CPU over everything else the agent and the box do; but the whole process at one real-time priority would
/// let a busy storage or control thread hold a core as long as it likes (FIFO threads of equal priority never
/// preempt each other: measured here, 48 ms engine stalls under a write storm). Needs CAP_SYS_NICE or
/// LimitRTPRIO (the unit file sets it); without, the thread stays as it was and the caller is told. A
/// <see cref="SpinGuard"/> watches the raised threads and lowers one that spins.
/// </summary>
public static partial class RealtimeThread
{
    private const int SchedOther = 0;
    private const int SchedFifo = 1;
    private const int ResetOnFork = 0x40000000; // SCHED_RESET_ON_FORK

    [ThreadStatic]
    private static int _priority; // this thread's real-time priority, 0 when it has none

    [ThreadStatic]
    private static SpinGuard.Slot? _watched;

    /// <summary>
    /// Raises the calling thread to <paramref name="priority"/> (1-99), watched by <paramref name="guard"/> as
    /// <paramref name="name"/>; returns null or why it could not.
    /// </summary>
    public static string? TryElevate(int priority, SpinGuard? guard = null, string? name = null)
    {
        if (priority <= 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        // Reset on fork: a thread this one creates (the runtime makes thread-pool workers and its tiered
        // compilation worker on whichever thread first needs them) starts at normal priority. Without it, a
        // JIT worker born of a heartbeat thread compiled at SCHED_FIFO 50 for a second at start-up and held
        // the whole machine until the kernel's real-time throttling (950 ms, seen in the replication bench).
        var param = priority;
        if (SetScheduler(GetTid(), SchedFifo | ResetOnFork, ref param) == 0)
        {
            _priority = priority;
            _watched = guard?.WatchCurrentThread(name ?? Thread.CurrentThread.Name ?? "heartbeat");
            return null;
        }

        return $"cannot raise heartbeat threads to real-time priority {priority} (errno {Marshal.GetLastPInvokeError()}): give the service CAP_SYS_NICE or LimitRTPRIO";
    }

    /// <summary>
    /// Runs the calling thread at normal priority until the result is disposed, when it is a real-time one.
    /// For work that allocates (logging): a collection it triggers then runs at normal priority and cannot
    /// starve the threads it waits for.
    /// </summary>
    public static NormalPriority Relax()
    {
        if (_priority == 0)
        {
            return default;
        }

        _watched?.MarkRelaxed();
        var none = 0;
        return SetScheduler(GetTid(), SchedOther | ResetOnFork, ref none) == 0 ? new NormalPriority(_priority) : default;
    }

    /// <summary>Restores the real-time priority <see cref="Relax"/> lowered.</summary>
    public readonly struct NormalPriority(int priority) : IDisposable
    {
        public void Dispose()
        {
            if (priority > 0)
            {
                var param = priority;
                if (SetScheduler(GetTid(), SchedFifo | ResetOnFork, ref param) == 0)
                {
                    _watched?.MarkRealtime();
                }
            }
        }
    }

    /// <summary>The calling thread's scheduling policy (0 SCHED_OTHER, 1 SCHED_FIFO), without the flags.</summary>
    public static int CurrentPolicy() => GetScheduler(0) & ~ResetOnFork;

    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    private static partial int GetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int param);
}
