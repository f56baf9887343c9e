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
public static class RealtimeThread
{
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
        if (SchedulerCalls.SetScheduler(SchedulerCalls.GetTid(), SchedulerCalls.Fifo | SchedulerCalls.ResetOnFork, ref param) == 0)
        {
            _priority = priority;
            _watched = guard?.WatchCurrentThread(name ?? Thread.CurrentThread.Name ?? "heartbeat");
            return null;
        }

        return $"cannot raise heartbeat threads to real-time priority {priority} (errno {Marshal.GetLastPInvokeError()}): give the service CAP_SYS_NICE or LimitRTPRIO";
    }

    /// <summary>
    /// Runs the calling thread at normal priority until the result is disposed, when it is a real-time one.
    /// For a receiver recovering its line (reopening a device allocates): a collection it triggers then runs at
    /// normal priority and cannot starve the threads it waits for.
    /// </summary>
    public static NormalPriority Relax()
    {
        if (_priority == 0)
        {
            return default;
        }

        _watched?.MarkRelaxed();
        var none = 0;
        return new NormalPriority(SchedulerCalls.SetScheduler(SchedulerCalls.GetTid(), SchedulerCalls.Other | SchedulerCalls.ResetOnFork, ref none) == 0);
    }

    /// <summary>Restores the real-time priority <see cref="Relax"/> lowered.</summary>
    public readonly struct NormalPriority(bool lowered) : IDisposable
    {
        public void Dispose()
        {
            var param = _priority;
            if (lowered && SchedulerCalls.SetScheduler(SchedulerCalls.GetTid(), SchedulerCalls.Fifo | SchedulerCalls.ResetOnFork, ref param) == 0)
            {
                _watched?.MarkRealtime();
            }
        }
    }

    /// <summary>
    /// Raises the runtime's server garbage-collection threads to <paramref name="priority"/>; returns how many, or
    /// why it could not. A collection stops every managed thread, the heartbeat threads too, until it is done; run
    /// on an ordinary thread it competes for the cores with everything else on the box, and while it waits for a
    /// core the heartbeat stays silent (gen-0 collections of 33-156 ms were seen that way with two agents busy on
    /// two cores, against a few ms of actual work). A server collector does its work on its own threads, which can
    /// be raised once: then a collection takes the time it needs and no more. They are raised above the heartbeat
    /// threads (a collection runs only while those are stopped anyway).
    /// </summary>
    public static (int Raised, string? Problem) TryElevateCollectorThreads(int priority)
    {
        if (priority <= 0 || !OperatingSystem.IsLinux() || !System.Runtime.GCSettings.IsServerGC)
        {
            return (0, null);
        }

        var raised = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                continue; // the thread ended
            }

            if (name != ".NET Server GC" || !int.TryParse(Path.GetFileName(task), out var tid))
            {
                continue;
            }

            var param = priority;
            if (SchedulerCalls.SetScheduler(tid, SchedulerCalls.Fifo | SchedulerCalls.ResetOnFork, ref param) != 0)
            {
                return (raised, $"cannot raise the garbage collector's thread {tid} to real-time priority {priority} (errno {Marshal.GetLastPInvokeError()}): give the service CAP_SYS_NICE or LimitRTPRIO");
            }

            raised++;
        }

        return raised == 0 ? (0, "the runtime runs a server garbage collector but none of its threads was found (\".NET Server GC\"): collections run at normal priority") : (raised, null);
    }

    /// <summary>Thread <paramref name="tid"/>'s policy with its flags, as sched_getscheduler reports it (0 is the
    /// calling thread); -1 when it cannot be read.</summary>
    public static int SchedulerOf(int tid) => SchedulerCalls.GetScheduler(tid);

    /// <summary>The calling thread's scheduling policy (0 SCHED_OTHER, 1 SCHED_FIFO), without the flags.</summary>
    public static int CurrentPolicy() => SchedulerOf(0) & ~SchedulerCalls.ResetOnFork;
}
