namespace Redundancy.Core.Heartbeat;

/// <summary>Counters of one heartbeat link. Written by the link's threads, read by status; thread-safe.</summary>
public sealed class LinkCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private long _framesIn;
    private long _framesOut;
    private long _sendErrors;
    private long _receiveErrors;
    private long _reopens;

    /// <summary>Authentic frames accepted.</summary>
    public long FramesIn => Interlocked.Read(ref _framesIn);

    /// <summary>Frames sent.</summary>
    public long FramesOut => Interlocked.Read(ref _framesOut);

    /// <summary>Failed sends.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Failed receives (I/O errors, not dropped frames).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Times the link's device or socket had to be opened again.</summary>
    public long Reopens => Interlocked.Read(ref _reopens);

    /// <summary>Frames dropped for <paramref name="reason"/>.</summary>
    public long Dropped(DropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>All frames dropped, whatever the reason.</summary>
    public long DroppedTotal
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _drops.Length; i++)
            {
                total += Interlocked.Read(ref _drops[i]);
            }

            return total;
        }
    }

    internal void CountIn() => Interlocked.Increment(ref _framesIn);

    /// <summary>Counts a sent frame.</summary>
    public void CountOut() => Interlocked.Increment(ref _framesOut);

    /// <summary>Counts a failed send.</summary>
    public void CountSendError() => Interlocked.Increment(ref _sendErrors);

    /// <summary>Counts a failed receive.</summary>
    public void CountReceiveError() => Interlocked.Increment(ref _receiveErrors);

    /// <summary>Counts a reopen of the device or socket.</summary>
    public void CountReopen() => Interlocked.Increment(ref _reopens);

    /// <summary>Counts a received frame: accepted when <paramref name="reason"/> is None, else dropped.</summary>
    public void CountReceived(DropReason reason)
    {
        if (reason == DropReason.None)
        {
            CountIn();
        }
        else
        {
            Interlocked.Increment(ref _drops[(int)reason]);
        }
    }
}
