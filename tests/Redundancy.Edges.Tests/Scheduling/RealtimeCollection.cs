namespace Redundancy.Edges.Tests.Scheduling;

/// <summary>
/// Tests that measure how long a thread waits for a CPU while real-time threads spin run alone: beside the other
/// classes of this assembly (listeners, stores on tmpfs, keepalives) the normal thread they wait for also waited
/// for those (442 ms seen in the full suite).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealtimeCollection
{
    public const string Name = "real-time scheduling";
}
