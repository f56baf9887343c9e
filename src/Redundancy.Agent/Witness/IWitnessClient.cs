using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Witness;

/// <summary>
/// A witness client (the lease of <c>redundancy-witness</c>, or a TCP target's reachability): it runs on a thread of its
/// own, posts its verdicts to the engine as inputs, and tells the status what it knows. <see cref="Status"/> is called
/// from any thread and never waits on the client's loop.
/// </summary>
internal interface IWitnessClient : IDisposable
{
    /// <summary>Starts the client's thread.</summary>
    void Start();

    /// <summary>What this node knows of the witness now (the status's <c>witness</c> section).</summary>
    WitnessStatus Status();
}
