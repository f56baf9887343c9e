namespace Redundancy.Core.Heartbeat;

/// <summary>
/// This node's sending instance and the send time of each of its recent frames, by counter: what makes a peer's
/// frame checkable for freshness. A peer echoes the newest frame it heard from us (instance and counter); a frame
/// that echoes our current instance and a counter we sent moments ago was made after that moment, so it proves the
/// peer alive now. A recording proves nothing: it echoes an earlier instance of ours (we restarted since) or a
/// counter sent long ago, and so does a frame held back and replayed later.
/// </summary>
/// <remarks>
/// Thread-safe without locks: the sending threads take counters (<see cref="Next"/>), the receiving threads look
/// them up (<see cref="TryGetSentAt"/>). Allocates nothing after construction. Counters are 64-bit and start at 1
/// (0 means "nothing heard"), so they never wrap.
/// </remarks>
public sealed class SentFrames
{
    /// <summary>Frames remembered: at 1 ms on two links, two seconds of them.</summary>
    public const int Capacity = 4096;

    private readonly long[] _counters = new long[Capacity];
    private readonly long[] _sentAt = new long[Capacity];
    private long _last;

    /// <summary>Creates the record for instance <paramref name="instance"/> (non-zero); the first counter is
    /// <paramref name="lastCounter"/> + 1.</summary>
    public SentFrames(ulong instance, ulong lastCounter = 0)
    {
        if (instance == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(instance), "the instance must not be 0 (0 means none)");
        }

        Instance = instance;
        _last = (long)lastCounter;
    }

    /// <summary>This node's instance for this run.</summary>
    public ulong Instance { get; }

    /// <summary>The newest counter taken (0 before the first frame).</summary>
    public ulong Last => (ulong)Interlocked.Read(ref _last);

    /// <summary>A new instance: 64 random bits, never 0.</summary>
    public static ulong NewInstance()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong value;
        do
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            value = BitConverter.ToUInt64(bytes);
        }
        while (value == 0);
        return value;
    }

    /// <summary>Takes the counter of a frame sent at <paramref name="sentAt"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public ulong Next(long sentAt)
    {
        var counter = Interlocked.Increment(ref _last);
        var slot = (int)((ulong)counter % Capacity);

        // The slot reads as empty while its time is rewritten, so a reader never pairs a counter with another's time.
        Volatile.Write(ref _counters[slot], 0);
        Volatile.Write(ref _sentAt[slot], sentAt);
        Volatile.Write(ref _counters[slot], counter);
        return (ulong)counter;
    }

    /// <summary>When the frame with <paramref name="counter"/> was sent, if it is recent enough to be remembered.</summary>
    public bool TryGetSentAt(ulong counter, out long sentAt)
    {
        sentAt = 0;
        if (counter == 0 || counter > Last)
        {
            return false;
        }

        var slot = (int)(counter % Capacity);
        if ((ulong)Volatile.Read(ref _counters[slot]) != counter)
        {
            return false;
        }

        sentAt = Volatile.Read(ref _sentAt[slot]);
        return (ulong)Volatile.Read(ref _counters[slot]) == counter;
    }

    /// <summary>
    /// Whether <paramref name="frame"/>, received at <paramref name="receivedAt"/>, echoes a frame of this instance
    /// sent at most <paramref name="window"/> ticks before: then it was made after that frame was sent, and a frame held
    /// back and replayed later buys its sender at most <paramref name="window"/> of life.
    /// </summary>
    public bool IsFresh(in HeartbeatFrame frame, long receivedAt, long window) => IsFresh(frame, receivedAt, window, out _);

    /// <summary>As <see cref="IsFresh(in HeartbeatFrame, long, long)"/>, with the round trip the echo shows (from our
    /// echoed frame to <paramref name="receivedAt"/>), or -1 when the frame echoes nothing of ours we remember.</summary>
    public bool IsFresh(in HeartbeatFrame frame, long receivedAt, long window, out long roundTrip)
    {
        roundTrip = frame.EchoInstance == Instance && TryGetSentAt(frame.EchoCounter, out var sentAt) ? receivedAt - sentAt : -1;
        return roundTrip >= 0 && roundTrip <= window;
    }
}
