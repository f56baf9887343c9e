using Redundancy.Core.Heartbeat;
using Redundancy.Edges.Links;

namespace Redundancy.Testing;

/// <summary>
/// One end of an in-memory heartbeat link: what one end sends reaches the other end's receiver at once, on the
/// sender's thread, unless the cable is <see cref="Cut"/>. Runs no thread: a test attaches the receivers and steps
/// the senders itself.
/// </summary>
public sealed class MemoryLink : IHeartbeatLink
{
    private IFrameSink? _sink;

    private MemoryLink(string name) => Name = name;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public LinkCounters Counters { get; } = new();

    /// <inheritdoc />
    public bool HasPendingInput => false;

    /// <summary>The other end.</summary>
    public MemoryLink Other { get; private set; } = null!;

    /// <summary>When true, frames sent from either end are lost.</summary>
    public bool Cut { get; set; }

    /// <summary>When true, only the frames this end sends are lost (a one-way fault: this end still hears the other).</summary>
    public bool Mute { get; set; }

    /// <summary>A link's two ends.</summary>
    public static (MemoryLink A, MemoryLink B) Pair(string name)
    {
        var a = new MemoryLink(name);
        var b = new MemoryLink(name);
        a.Other = b;
        b.Other = a;
        return (a, b);
    }

    /// <summary>Hands received frames to <paramref name="sink"/> (the receiver) from now on.</summary>
    public void Attach(IFrameSink sink) => _sink = sink;

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame)
    {
        Counters.CountOut();
        if (!Cut && !Other.Cut && !Mute && Other._sink is { } sink)
        {
            sink.OnFrame(frame);
        }
    }

    /// <inheritdoc />
    public void RunReceiver(IFrameSink sink, CancellationToken cancellationToken)
    {
        Attach(sink);
        cancellationToken.WaitHandle.WaitOne();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sink = null;
    }
}
