using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Redundancy.Agent.Diagnostics;

/// <summary>
/// Bytes allocated by each heartbeat-path thread since it started. Those threads run at real-time priority, and
/// a collection that an allocation of theirs triggers runs on them, suspending the runtime from a real-time
/// thread; and allocation is garbage that shortens the time to the next collection for everyone. So these
/// must stay at zero in steady state (the engine made ~67 KB/s before it was cleaned up).
/// </summary>
internal static class AllocationProbe
{
    private static readonly ConcurrentDictionary<string, StrongBox<long>> Threads = new();

    [ThreadStatic]
    private static StrongBox<long>? _mine;

    /// <summary>Registers the calling thread under <paramref name="name"/>.</summary>
    public static void Register(string name) => _mine = Threads.GetOrAdd(name, _ => new StrongBox<long>());

    /// <summary>Records the calling thread's allocation total (no allocation itself).</summary>
    public static void Sample()
    {
        if (_mine is { } box)
        {
            Volatile.Write(ref box.Value, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    /// <summary>Each registered thread's total, by name.</summary>
    public static IReadOnlyDictionary<string, long> Totals => Threads.ToDictionary(kv => kv.Key, kv => Volatile.Read(ref kv.Value.Value));
}
