using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Bytes allocated by each heartbeat-path thread since it started. Those threads run at real-time priority, and
/// a collection that an allocation of theirs triggers runs on them: it then waits for every other thread to
/// reach a safe point while spinning at real-time priority, and a normal thread it waits for may not get the
/// CPU until the kernel's real-time throttling steps in (950 ms seen). So these must stay at zero in steady state.
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
