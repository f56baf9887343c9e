namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Drops repeats of authentic frames on one link: for each of the last few sender instances it keeps the highest
/// frame counter seen, and a frame at or below it is a replay. A new instance is accepted, whatever its value:
/// instances are random and have no order, so a restarted sender (or one whose boot record was lost) is never
/// taken for an old one. Whether a frame proves the sender alive now is not judged here: that needs freshness
/// (<see cref="SentFrames"/>), since a recording of an instance this filter has never seen passes it.
/// </summary>
/// <remarks>One instance per link: the same frame is sent on every link, so it is no replay on the second.
/// Not thread-safe; owned by the link's receiving thread. Allocates nothing.</remarks>
public sealed class ReplayFilter
{
    /// <summary>Sender instances remembered per link (the peer's current and earlier runs, and any duplicate).</summary>
    public const int Instances = 4;

    private readonly ulong[] _instance = new ulong[Instances];
    private readonly ulong[] _highest = new ulong[Instances];
    private readonly long[] _touched = new long[Instances];
    private long _clock;

    /// <summary>Returns <see cref="DropReason.None"/> and records the counter, or <see cref="DropReason.Replayed"/>.</summary>
    public DropReason Check(ulong instance, ulong counter)
    {
        _clock++;
        var slot = -1;
        var oldest = 0;
        for (var i = 0; i < Instances; i++)
        {
            if (_touched[i] != 0 && _instance[i] == instance)
            {
                slot = i;
                break;
            }

            if (_touched[i] < _touched[oldest])
            {
                oldest = i;
            }
        }

        if (slot < 0)
        {
            // Forgetting the least recently heard instance lets its frames in once more; they still prove nothing
            // without freshness, so the bound only costs a few counted frames.
            _instance[oldest] = instance;
            _highest[oldest] = counter;
            _touched[oldest] = _clock;
            return DropReason.None;
        }

        if (counter <= _highest[slot])
        {
            return DropReason.Replayed;
        }

        _highest[slot] = counter;
        _touched[slot] = _clock;
        return DropReason.None;
    }
}
