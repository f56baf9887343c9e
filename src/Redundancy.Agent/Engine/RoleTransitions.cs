using System.Threading.Channels;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>A role or term change as the engine announced it.</summary>
/// <param name="From">Role before.</param>
/// <param name="To">Role after.</param>
/// <param name="Epoch">Epoch after.</param>
/// <param name="Reason">Why.</param>
internal sealed record RoleTransition(Role From, Role To, ulong Epoch, string Reason);

/// <summary>
/// Role and term changes out of the engine, for replication and every other part that acts on them, instead of
/// polling the role. Each subscriber has its own bounded channel that keeps the newest 16 (role changes are
/// rate-limited to 6 in 10 s, and the newest is the one that matters); the engine never waits on a subscriber.
/// </summary>
internal sealed class RoleTransitions
{
    private readonly Lock _gate = new();
    private readonly List<Channel<RoleTransition>> _subscribers = [];
    private RoleTransition _current = new(Role.Starting, Role.Starting, 0, "starting");

    /// <summary>The newest transition (Starting until the first).</summary>
    public RoleTransition Current => Volatile.Read(ref _current);

    /// <summary>A new subscriber's reader; it first reads the current transition.</summary>
    public ChannelReader<RoleTransition> Subscribe()
    {
        var channel = Channel.CreateBounded<RoleTransition>(new BoundedChannelOptions(16)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        lock (_gate)
        {
            channel.Writer.TryWrite(_current);
            _subscribers.Add(channel);
        }

        return channel.Reader;
    }

    /// <summary>Publishes a transition to every subscriber (on the engine thread; never blocks).</summary>
    public void Publish(RoleTransition transition)
    {
        lock (_gate)
        {
            Volatile.Write(ref _current, transition);
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(transition);
            }
        }
    }
}
