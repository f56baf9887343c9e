using Redundancy.Core.Effects;

namespace Redundancy.Agent.Effects;

/// <summary>
/// A slow effect's handler (the system IP's netlink and gratuitous ARP, a witness lease): runs on the slow lane,
/// never on the engine thread, and must end within the lane's bound or honour the token.
/// </summary>
internal interface ISlowEffect
{
    /// <summary>A name for logs and errors ("system ip").</summary>
    string Name { get; }

    /// <summary>Its own bound, or null for the lane's (one peer timeout). A step-down still waits at most the lane's bound
    /// before it goes on; the effect itself may run on up to this one (the system IP's removal finishes late rather than
    /// being cut off).</summary>
    TimeSpan? Bound => null;

    /// <summary>Carries out <paramref name="effect"/>; throws to report failure.</summary>
    Task RunAsync(Effect effect, CancellationToken cancellationToken);
}
