using Redundancy.Agent.Effects;
using Redundancy.Core.Effects;

namespace Redundancy.Agent.Address;

/// <summary>One of the system IP's slow effects (add, remove, announce again), as the slow lane runs it.</summary>
internal sealed class SystemIpStep(SystemIp ip, SystemIpAction action) : ISlowEffect
{
    public string Name { get; } = $"{ip.Subject}: {action.ToString().ToLowerInvariant()}";

    public TimeSpan? Bound => ip.Bound;

    public Task RunAsync(Effect effect, CancellationToken cancellationToken) => action switch
    {
        SystemIpAction.Add => ip.AddAsync(cancellationToken),
        SystemIpAction.Remove => ip.RemoveAsync(cancellationToken),
        _ => ip.AnnounceAgainAsync(cancellationToken),
    };
}

/// <summary>What a <see cref="SystemIpStep"/> does.</summary>
internal enum SystemIpAction
{
    /// <summary>Add the address and send gratuitous ARP (after a takeover).</summary>
    Add,

    /// <summary>Remove it (a step-down, and at start).</summary>
    Remove,

    /// <summary>Gratuitous ARP again (after a heal).</summary>
    Announce,
}
