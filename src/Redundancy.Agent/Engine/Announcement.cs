using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>What this node says about itself in its heartbeats; replaced whole by the engine, read by senders.</summary>
internal sealed record Announcement(Role Role, ulong Epoch, Readiness Readiness, HealthFlags Health);

/// <summary>
/// The announcements of the current epoch, one per (role, readiness, health): readiness flaps between hot and warm
/// under writes, and the engine, a real-time thread, must not allocate a new one for each change.
/// </summary>
internal sealed class AnnouncementCache
{
    private readonly Dictionary<(Role, Readiness, HealthFlags), Announcement> _made = [];
    private ulong _epoch;

    public Announcement For(Role role, ulong epoch, Readiness readiness, HealthFlags health)
    {
        if (epoch != _epoch)
        {
            _made.Clear();
            _epoch = epoch;
        }

        if (!_made.TryGetValue((role, readiness, health), out var a))
        {
            a = new Announcement(role, epoch, readiness, health);
            _made[(role, readiness, health)] = a;
        }

        return a;
    }
}
