using System.Runtime.InteropServices;

namespace Redundancy.Edges.Security;

/// <summary>
/// Cuts a root agent's capabilities down to a few for its whole life: the calling thread drops every other capability
/// from its bounding set and the process executes itself again. Linux capabilities are per thread and the .NET runtime
/// has several threads before <c>Main</c>, so a drop in place would leave them whole; after <c>execve</c> every thread
/// starts from this one, and root's capabilities after an exec are its bounding set. The PID, the namespaces and the
/// standard streams stay. A non-root process is left alone (the unit grants what it needs).
/// </summary>
public static partial class CapabilityBound
{
    /// <summary>Set in the environment of the process executed again, so it does not loop.</summary>
    public const string Marker = "REDUNDANCY_CAPABILITIES_BOUNDED";

    private const int PrCapbsetDrop = 24;
    private const int RlimitRtprio = 14;
    private const int SysNice = 23;

    /// <summary>
    /// For root without <see cref="Marker"/>: drops all but <paramref name="keep"/> and executes the process again; does
    /// not return when that works. Returns null when there was nothing to do, or why it could not be done.
    /// </summary>
    /// <param name="realtimePriority">The heartbeat threads' SCHED_FIFO priority (0: none); the spin guard runs one above.</param>
    /// <param name="keep">The capabilities kept.</param>
    public static string? ReexecKeeping(int realtimePriority, params int[] keep)
    {
        if (Environment.GetEnvironmentVariable(Marker) == "1" || GetEuid() != 0)
        {
            return null;
        }

        try
        {
            var last = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');

            // Without CAP_SYS_NICE the heartbeat threads' SCHED_FIFO needs the limit (the unit sets LimitRTPRIO=51): a
            // limit is kept across exec, and raising it needs the capability still held now.
            // Where the limit cannot be raised (a root without CAP_SYS_RESOURCE, as in some containers) and is too low,
            // CAP_SYS_NICE is kept as well, and said: the heartbeat threads' priority matters more than one capability.
            var rt = new RLimit { Current = 99, Max = 99 };
            if (realtimePriority > 0 && SetRlimit(RlimitRtprio, ref rt) != 0 && (GetRlimit(RlimitRtprio, out var now) != 0 || now.Current < (ulong)realtimePriority + 1))
            {
                keep = [.. keep, SysNice];
                Console.Error.WriteLine($"redundancy-agent: RLIMIT_RTPRIO cannot be raised to {realtimePriority + 1} here: keeping CAP_SYS_NICE as well, for the heartbeat threads' SCHED_FIFO (set LimitRTPRIO in the unit)");
            }

            for (var c = 0; c <= last; c++)
            {
                if (!keep.Contains(c) && Prctl(PrCapbsetDrop, (nuint)c, 0, 0, 0) != 0)
                {
                    return $"cannot drop capability {c} from the bounding set: errno {Marshal.GetLastPInvokeError()}";
                }
            }

            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}").Append($"{Marker}=1").ToArray();
            _ = Execve("/proc/self/exe", [.. argv, null], [.. env, null]);
            return $"cannot execute itself again with its capabilities bounded: errno {Marshal.GetLastPInvokeError()}";
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return $"cannot bound its capabilities: {ex.Message}";
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, ref RLimit limit);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
