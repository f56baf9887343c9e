using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Redundancy.Edges.Scheduling;

/// <summary>
/// Lowers a real-time heartbeat thread that spins, so that the normal thread it waits for can run.
/// </summary>
/// <remarks>
/// The .NET runtime's own locks (method preparation, code lookup) spin with sched_yield, and at SCHED_FIFO a yield
/// never gives the CPU to the normal thread holding the lock. With every CPU taken by spinning heartbeat threads
/// the holder ran only when the kernel's real-time throttling let it, after 950 ms: whole-machine stalls at
/// start-up in about one replication-bench run in eight (perf: three heartbeat threads in the same runtime spin).
/// The guard is the kernel's throttling with a 10 ms window instead of a second: a thread at real-time priority
/// wakes every <see cref="Window"/>, reads how long each heartbeat thread ran (schedstat), and drops a thread that
/// ran nearly all of two windows in a row to normal priority for two windows. Heartbeat threads need well under
/// a millisecond per 10 ms (measured); only a spin, or a long JIT at start-up, looks like this.
/// The guard allocates nothing, takes no lock and calls no library code in its loop: its methods are compiled
/// once, fully optimised (no tiering, whose bookkeeping takes the very runtime locks in question), and it talks
/// to the kernel through its own system calls.
/// </remarks>
public sealed unsafe partial class SpinGuard : IDisposable
{
    /// <summary>How often the guard looks.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(5);

    private const int Capacity = 32;
    private const int SpinWindows = 2; // windows in a row at >= 90% before a thread counts as spinning
    private const int HoldWindows = 2; // windows a lowered thread stays at normal priority
    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000;
    private const int ClockMonotonic = 1;

    private readonly Slot?[] _slots = new Slot?[Capacity];
    private readonly int _priority;
    private int _count;
    private volatile bool _stopping;
    private long _lowerings;
    private long _longestSpinNs;
    private string _lastLowered = string.Empty;
    private Thread? _thread;

    /// <param name="priority">The heartbeat threads' SCHED_FIFO priority; the guard runs one above.</param>
    public SpinGuard(int priority) => _priority = priority;

    /// <summary>How many times a heartbeat thread was lowered.</summary>
    public long Lowerings => Interlocked.Read(ref _lowerings);

    /// <summary>The longest a heartbeat thread spun at real-time priority before the guard lowered it.</summary>
    public TimeSpan LongestSpin => TimeSpan.FromTicks(Interlocked.Read(ref _longestSpinNs) / 100);

    /// <summary>The name of the thread lowered last.</summary>
    public string LastLowered => Volatile.Read(ref _lastLowered);

    /// <summary>Starts the guard thread; returns why it cannot run at real-time priority, or null.</summary>
    public string? Start()
    {
        string? problem = null;
        using var started = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            WarmUp(); // compile and touch everything once, at normal priority
            var param = Math.Min(99, _priority + 1);
            if (SchedulerCalls.SetScheduler(0, SchedulerCalls.Fifo | SchedulerCalls.ResetOnFork, ref param) != 0)
            {
                problem = $"spin guard cannot run at real-time priority {param} (errno {Marshal.GetLastPInvokeError()}): a heartbeat thread spinning inside the runtime can stall the machine for up to a second; allow priority {param} (LimitRTPRIO)";
            }

            started.Set();
            Run();
        })
        { IsBackground = true, Name = "spin-guard" };
        _thread.Start();
        started.Wait();
        return problem;
    }

    /// <summary>Watches the calling thread, which has just been raised to real-time priority.</summary>
    /// <returns>Its slot, to mark it relaxed and raised again; null when the guard is full or schedstat is missing.</returns>
    internal Slot? WatchCurrentThread(string name)
    {
        var tid = SchedulerCalls.GetTid();
        var fd = OpenSchedStat(tid);
        if (fd < 0)
        {
            return null;
        }

        var slot = new Slot(name, tid, fd) { LastRunNs = ReadRunNs(fd), LastCheckNs = Monotonic() };
        var index = Interlocked.Increment(ref _count) - 1;
        if (index >= Capacity)
        {
            _ = Close(fd);
            return null;
        }

        Volatile.Write(ref _slots[index], slot);
        return slot;
    }

    public void Dispose()
    {
        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(1));
        for (var i = 0; i < Math.Min(Volatile.Read(ref _count), Capacity); i++)
        {
            if (_slots[i] is { } slot)
            {
                _ = Close(slot.Fd);
            }
        }
    }

    /// <summary>Makes every call of the loop once: compiled (the whole of each method) and bound to the kernel.</summary>
    private void WarmUp()
    {
        var fd = OpenSchedStat(SchedulerCalls.GetTid());
        _ = ReadRunNs(fd);
        _ = Close(fd);
        var ts = new TimeSpec { Seconds = 0, Nanoseconds = 1 };
        _ = NanoSleep(ClockMonotonic, 0, &ts, null);
        Check(Monotonic(), 0);
    }

    private static int OpenSchedStat(int tid)
    {
        fixed (byte* path = System.Text.Encoding.ASCII.GetBytes($"/proc/self/task/{tid}/schedstat\0"))
        {
            return Open(path, OpenReadOnly | OpenCloseOnExec);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        var windowNs = (long)(Window.TotalMilliseconds * 1_000_000);
        var ts = new TimeSpec { Seconds = 0, Nanoseconds = windowNs };
        while (!_stopping)
        {
            _ = NanoSleep(ClockMonotonic, 0, &ts, null);
            Check(Monotonic(), Volatile.Read(ref _count));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Check(long now, int count)
    {
        if (count > Capacity)
        {
            count = Capacity;
        }

        for (var i = 0; i < count; i++)
        {
            var slot = Volatile.Read(ref _slots[i]);
            if (slot is null)
            {
                continue;
            }

            var run = ReadRunNs(slot.Fd);
            var elapsed = now - slot.LastCheckNs;
            var ran = run - slot.LastRunNs;
            slot.LastRunNs = run;
            slot.LastCheckNs = now;
            if (run < 0 || elapsed <= 0)
            {
                continue;
            }

            var state = Volatile.Read(ref slot.State);
            if (state == Slot.Lowered)
            {
                if (--slot.HoldLeft <= 0 && Interlocked.CompareExchange(ref slot.State, Slot.Realtime, Slot.Lowered) == Slot.Lowered)
                {
                    var param = _priority;
                    _ = SchedulerCalls.SetScheduler(slot.Tid, SchedulerCalls.Fifo | SchedulerCalls.ResetOnFork, ref param);
                    if (Volatile.Read(ref slot.State) == Slot.Relaxed)
                    {
                        var none = 0; // the thread relaxed itself meanwhile: its wish wins
                        _ = SchedulerCalls.SetScheduler(slot.Tid, SchedulerCalls.Other | SchedulerCalls.ResetOnFork, ref none);
                    }
                }

                continue;
            }

            slot.Streak = state == Slot.Realtime && ran * 10 >= elapsed * 9 ? slot.Streak + 1 : 0;
            if (slot.Streak == 1)
            {
                slot.SpinStartNs = now - elapsed;
            }

            if (slot.Streak >= SpinWindows && Interlocked.CompareExchange(ref slot.State, Slot.Lowered, Slot.Realtime) == Slot.Realtime)
            {
                var none = 0;
                _ = SchedulerCalls.SetScheduler(slot.Tid, SchedulerCalls.Other | SchedulerCalls.ResetOnFork, ref none);
                slot.HoldLeft = HoldWindows;
                slot.Streak = 0;
                Interlocked.Increment(ref _lowerings);
                var spun = now - slot.SpinStartNs;
                if (spun > Interlocked.Read(ref _longestSpinNs))
                {
                    Interlocked.Exchange(ref _longestSpinNs, spun);
                }

                Volatile.Write(ref _lastLowered, slot.Name);
            }
        }
    }

    /// <summary>Nanoseconds the thread has run (first field of schedstat), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long ReadRunNs(int fd)
    {
        var buffer = stackalloc byte[64];
        var n = PRead(fd, buffer, 64, 0);
        long value = 0;
        var digits = 0;
        for (var i = 0; i < n; i++)
        {
            var c = buffer[i];
            if (c is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            value = (value * 10) + (c - '0');
            digits++;
        }

        return digits == 0 ? -1 : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Monotonic()
    {
        TimeSpec ts;
        _ = ClockGetTime(ClockMonotonic, &ts);
        return (ts.Seconds * 1_000_000_000) + ts.Nanoseconds;
    }

    /// <summary>One watched heartbeat thread. Fields, not properties: the guard's loop calls nothing it has not
    /// called before it went real-time.</summary>
    internal sealed class Slot(string name, int tid, int fd)
    {
        public const int Relaxed = 0;
        public const int Realtime = 1;
        public const int Lowered = 2;

        public readonly string Name = name;
        public readonly int Tid = tid;
        public readonly int Fd = fd;
        public int State = Realtime;
        public long LastRunNs;
        public long LastCheckNs;
        public long SpinStartNs;
        public int Streak;
        public int HoldLeft;

        /// <summary>The thread lowered itself on purpose (see <see cref="RealtimeThread.Relax"/>).</summary>
        public void MarkRelaxed() => Volatile.Write(ref State, Relaxed);

        /// <summary>The thread raised itself again.</summary>
        public void MarkRealtime() => Volatile.Write(ref State, Realtime);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "pread")]
    private static partial nint PRead(int fd, byte* buffer, nint count, nint offset);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int NanoSleep(int clock, int flags, TimeSpec* request, TimeSpec* remain);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* ts);
}
