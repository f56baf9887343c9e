using System.Runtime.InteropServices;

namespace Redundancy.Simulation.Harness;

/// <summary>POSIX signals to a process by PID (never by name).</summary>
public static partial class Signals
{
    /// <summary>SIGKILL: the box loses power.</summary>
    public const int Kill = 9;

    /// <summary>SIGTERM: orderly stop.</summary>
    public const int Terminate = 15;

    /// <summary>SIGCONT: a hung process resumes.</summary>
    public const int Continue = 18;

    /// <summary>SIGSTOP: the process hangs, keeping everything it holds.</summary>
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it no longer exists.</summary>
    public static bool Send(int pid, int signal) => NativeKill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
