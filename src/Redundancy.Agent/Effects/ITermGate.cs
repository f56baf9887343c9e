namespace Redundancy.Agent.Effects;

/// <summary>Where writes are let in by term: the storage thread (which persists the epoch before the first write of it).</summary>
internal interface ITermGate
{
    /// <summary>Start taking writes in <paramref name="epoch"/>; returns at once (the storage thread does the work).</summary>
    void StartWrites(ulong epoch);

    /// <summary>Stop taking writes; returns at once.</summary>
    void StopWrites();
}
