namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Judges the sequence of authentic frames on one link. The sequence carries the sender's boot counter in
/// its high 32 bits (persisted, incremented at every start) and a frame counter in the low 32 bits, so a
/// restarted sender is accepted at once while frames of its earlier runs are stale and repeats are replays.
/// </summary>
/// <remarks>One instance per link: the same frame is sent on every link, so it is no replay on the second.
/// Not thread-safe; owned by the link's receiving thread.</remarks>
public sealed class ReplayFilter
{
    private bool _seen;
    private ulong _highest;

    /// <summary>Returns <see cref="DropReason.None"/> and records the sequence, or why it is refused.</summary>
    public DropReason Check(ulong sequence)
    {
        if (_seen)
        {
            var boot = sequence >> 32;
            var currentBoot = _highest >> 32;
            if (boot < currentBoot)
            {
                return DropReason.Stale;
            }

            if (sequence <= _highest)
            {
                return DropReason.Replayed;
            }
        }

        _seen = true;
        _highest = sequence;
        return DropReason.None;
    }
}
