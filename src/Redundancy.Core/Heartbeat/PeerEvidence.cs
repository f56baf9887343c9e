namespace Redundancy.Core.Heartbeat;

/// <summary>What an authentic, non-replayed frame of another sender instance proves.</summary>
public enum Evidence
{
    /// <summary>It echoes a recent frame of ours: its sender is alive now.</summary>
    Fresh,

    /// <summary>It does not echo us, but its sender proved itself fresh a moment ago and the frame is newer than any
    /// this node has seen from it on any link: a live peer that stopped hearing us (a one-way fault), for a bounded
    /// time. A recording cannot be this: its instance never proved itself to this run, or its frames are not new.</summary>
    Known,

    /// <summary>Neither: the sender does not hear us, or the frame is a recording or was held back. Proves nothing.</summary>
    Unverified,
}

/// <summary>
/// The other sender instances this node hears, across all its links: for each, the highest frame counter seen and
/// when it last proved itself fresh. Judges what each frame proves (<see cref="Judge"/>) and what this node echoes in
/// its own heartbeats (<see cref="Echo"/>).
/// </summary>
/// <remarks>
/// The echo is the instance that last proved fresh while it is still heard, so replayed frames of an earlier instance
/// of the peer cannot take the echo from the live one; else the instance heard most recently, so a restarted peer gets
/// its echo at once. Thread-safe: the receiving threads judge, the sending threads read the echo. A short lock, no
/// allocation.
/// </remarks>
public sealed class PeerEvidence
{
    private const int Slots = 4;

    /// <summary>How far below the newest counter a frame may be and still be new: each link's sender takes its own
    /// counters, so the slower link's frames arrive a few counters behind the faster one's. A frame held back longer
    /// than that is not new.</summary>
    private const ulong ReorderSlack = 8;
    private readonly Lock _gate = new();
    private readonly long _hold;
    private readonly long _echoHold;
    private readonly ulong[] _instance = new ulong[Slots];
    private readonly ulong[] _highest = new ulong[Slots];
    private readonly long[] _heardAt = new long[Slots];
    private readonly long[] _freshAt = new long[Slots];
    private readonly bool[] _proven = new bool[Slots];
    private int _latest = -1;

    /// <summary>Creates the record. New frames of an instance that proved fresh count as <see cref="Evidence.Known"/>
    /// for <paramref name="holdTicks"/> after it last proved fresh; it keeps the echo while it was heard within
    /// <paramref name="echoHoldTicks"/> (a live peer is heard every interval; a restarted one must get its echo soon).</summary>
    public PeerEvidence(long holdTicks, long echoHoldTicks)
    {
        _hold = holdTicks;
        _echoHold = echoHoldTicks;
    }

    /// <summary>Judges a frame of <paramref name="instance"/> with <paramref name="counter"/> received at
    /// <paramref name="at"/>; <paramref name="echoed"/> when it echoed a recent frame of ours.</summary>
    public Evidence Judge(ulong instance, ulong counter, long at, bool echoed)
    {
        lock (_gate)
        {
            var slot = Find(instance);
            var isNew = slot < 0 || counter + ReorderSlack >= _highest[slot];
            if (slot < 0)
            {
                slot = Oldest();
                _instance[slot] = instance;
                _highest[slot] = counter;
                _proven[slot] = false;
                _freshAt[slot] = 0;
            }

            _highest[slot] = Math.Max(_highest[slot], counter);
            _heardAt[slot] = at;
            _latest = slot;
            if (echoed)
            {
                _proven[slot] = true;
                _freshAt[slot] = Math.Max(_freshAt[slot], at);
                return Evidence.Fresh;
            }

            return _proven[slot] && isNew && at - _freshAt[slot] <= _hold ? Evidence.Known : Evidence.Unverified;
        }
    }

    /// <summary>The instance and counter to echo in a frame sent at <paramref name="now"/> (zeros: nothing heard).</summary>
    public (ulong Instance, ulong Counter) Echo(long now)
    {
        lock (_gate)
        {
            var best = -1;
            for (var i = 0; i < Slots; i++)
            {
                if (_proven[i] && now - _heardAt[i] <= _echoHold && (best < 0 || _freshAt[i] > _freshAt[best]))
                {
                    best = i;
                }
            }

            best = best >= 0 ? best : _latest;
            return best < 0 ? (0, 0) : (_instance[best], _highest[best]);
        }
    }

    private int Find(ulong instance)
    {
        for (var i = 0; i < Slots; i++)
        {
            if (_heardAt[i] != 0 && _instance[i] == instance)
            {
                return i;
            }
        }

        return -1;
    }

    private int Oldest()
    {
        var oldest = 0;
        for (var i = 0; i < Slots; i++)
        {
            if (_heardAt[i] == 0)
            {
                return i;
            }

            if (_heardAt[i] < _heardAt[oldest])
            {
                oldest = i;
            }
        }

        return oldest;
    }
}
