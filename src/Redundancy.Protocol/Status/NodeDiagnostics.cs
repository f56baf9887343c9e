namespace Redundancy.Protocol.Status;

/// <summary>
/// The runtime's figures for engineers (the <c>diagnostics</c> op): garbage collection, real-time threads, the spin
/// guard, allocation on the heartbeat threads. Kept apart from <see cref="NodeStatus"/>, which is for operators.
/// </summary>
public sealed record NodeDiagnostics
{
    /// <summary>The node's name.</summary>
    public required string Node { get; init; }

    /// <summary>The latest any heartbeat sender woke after its due time, in milliseconds.</summary>
    public required double HeartbeatLateMaxMs { get; init; }

    /// <summary>The longest stop of every thread by the runtime, in milliseconds.</summary>
    public required double RuntimePauseMaxMs { get; init; }

    /// <summary>What that longest stop was.</summary>
    public string? RuntimePauseMaxReason { get; init; }

    /// <summary>Stops of every thread since start.</summary>
    public required long RuntimePauses { get; init; }

    /// <summary>The managed heap after the last collection, in bytes.</summary>
    public required long GcHeapBytes { get; init; }

    /// <summary>Each generation's size after the last collection, in bytes (0, 1, 2, large, pinned).</summary>
    public required IReadOnlyList<long> GcGenerationBytes { get; init; }

    /// <summary>The configured young-generation budget, in bytes (0 when the runtime's default).</summary>
    public required long GcGen0BudgetBytes { get; init; }

    /// <summary>Collector threads raised to real-time priority.</summary>
    public required int CollectorThreadsRealtime { get; init; }

    /// <summary>Times the spin guard lowered a real-time thread.</summary>
    public required long SpinGuardLowerings { get; init; }

    /// <summary>The longest spin the guard saw, in milliseconds.</summary>
    public required double SpinGuardLongestSpinMs { get; init; }

    /// <summary>Bytes allocated since start by each heartbeat thread (tx-serial, rx-udp, engine ...).</summary>
    public required IReadOnlyDictionary<string, long> HeartbeatThreadsAllocatedBytes { get; init; }
}
