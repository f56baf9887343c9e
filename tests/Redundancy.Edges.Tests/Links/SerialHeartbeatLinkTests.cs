using Redundancy.Core.Heartbeat;
using Redundancy.Edges.Links;
using Redundancy.Simulation.Harness;

namespace Redundancy.Edges.Tests.Links;

/// <summary>The serial link over a real socat pty pair.</summary>
public sealed class SerialHeartbeatLinkTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _dir = new();
    private readonly SocatPair _cable;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private readonly List<IDisposable> _links = [];

    public SerialHeartbeatLinkTests()
    {
        _cable = new SocatPair(_dir.File("ttyA"), _dir.File("ttyB"));
    }

    [Fact]
    public void FramesSentOnOneEnd_ArriveWholeOnTheOther()
    {
        var (a, _) = Link(_cable.PathA);
        var (b, sinkB) = Link(_cable.PathB);
        WaitOpen(a, b);

        for (var i = 0; i < 20; i++)
        {
            a.Send(Payload(i));
        }

        Assert.True(CollectingSink.Eventually(() => sinkB.Frames.Count == 20, Wait), $"got {sinkB.Frames.Count} frames");
        Assert.Equal(Enumerable.Range(0, 20).Select(Payload), sinkB.Frames);
        Assert.Empty(sinkB.Errors);
        Assert.Equal(20, a.Counters.FramesOut);
    }

    [Fact]
    public void LineNoiseBetweenFrames_IsCountedAndTheReceiverResynchronises()
    {
        var (b, sinkB) = Link(_cable.PathB);
        using var raw = new FileStream(_cable.PathA, FileMode.Open, FileAccess.Write);
        WaitOpen(b);
        var encoded = new byte[SerialFraming.MaxEncoded];
        var random = new Random(7);

        for (var i = 0; i < 10; i++)
        {
            var noise = new byte[random.Next(1, 40)];
            random.NextBytes(noise);
            noise[^1] = 0; // noise that ends in a delimiter makes a bad frame the receiver must drop
            raw.Write(noise);
            var n = SerialFraming.Encode(Payload(i), encoded);
            raw.Write(encoded, 0, n);
            raw.Flush();
        }

        Assert.True(CollectingSink.Eventually(() => sinkB.Frames.Count == 10, Wait), $"got {sinkB.Frames.Count} frames");
        Assert.Equal(Enumerable.Range(0, 10).Select(Payload), sinkB.Frames);
        Assert.NotEmpty(sinkB.Errors);
        Assert.All(sinkB.Errors, e => Assert.True(e is DropReason.BadCrc or DropReason.Malformed));
    }

    [Fact]
    public void CablePulledAndReplugged_LinkReopensAndCarriesFramesAgain()
    {
        var (a, _) = Link(_cable.PathA);
        var (b, sinkB) = Link(_cable.PathB);
        WaitOpen(a, b);

        _cable.Pull();
        Assert.True(CollectingSink.Eventually(() => !b.IsOpen, Wait), "receiver did not notice the pulled cable");
        a.Send(Payload(1));
        Assert.True(CollectingSink.Eventually(() => a.Counters.SendErrors > 0 || !a.IsOpen, Wait));

        _cable.Plug();
        WaitOpen(a, b);
        Assert.True(CollectingSink.Eventually(() =>
        {
            a.Send(Payload(2));
            return sinkB.Frames.Any(f => f.SequenceEqual(Payload(2)));
        }, Wait));
        Assert.True(b.Counters.Reopens >= 1);
    }

    [Fact]
    public void BytesWaitingInTheKernel_ShowAsPendingInput()
    {
        var a = new SerialHeartbeatLink(_cable.PathA, 115200, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        var b = new SerialHeartbeatLink(_cable.PathB, 115200, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        _links.Add(a);
        _links.Add(b);
        var gate = new ManualResetEventSlim(false);
        var sinkB = new BlockingSink(gate);
        Start(a, new CollectingSink());
        Start(b, sinkB);
        WaitOpen(a, b);
        Assert.False(b.HasPendingInput);

        a.Send(Payload(1));       // the receiver takes this one and blocks inside the sink
        Assert.True(CollectingSink.Eventually(() => sinkB.Entered, Wait));
        Assert.True(b.HasPendingInput, "a frame being handed over is pending input");
        a.Send(Payload(2));       // this one stays in the kernel until the receiver returns
        Assert.True(CollectingSink.Eventually(() => b.HasPendingInput, Wait));
        gate.Set();
        Assert.True(CollectingSink.Eventually(() => !b.HasPendingInput, Wait));
    }

    [Fact]
    public void MissingDevice_IsRetriedWithoutThrowing()
    {
        var (link, sink) = Link(_dir.File("no-such-tty"));
        Assert.True(CollectingSink.Eventually(() => link.LastError is not null, Wait));
        Assert.Contains("no-such-tty", link.LastError);
        link.Send(Payload(1));
        Assert.Equal(1, link.Counters.SendErrors);
        Assert.Empty(sink.Frames);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var l in _links)
        {
            l.Dispose();
        }

        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }

        _cable.Dispose();
        _dir.Dispose();
        _stop.Dispose();
    }

    private static byte[] Payload(int i) => [.. "frame-"u8, (byte)i, 0, 1, 0, (byte)(i * 7)];

    private (SerialHeartbeatLink Link, CollectingSink Sink) Link(string path)
    {
        var link = new SerialHeartbeatLink(path, 115200, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        _links.Add(link);
        var sink = new CollectingSink();
        Start(link, sink);
        return (link, sink);
    }

    private void Start(SerialHeartbeatLink link, IFrameSink sink)
    {
        var t = new Thread(() => link.RunReceiver(sink, _stop.Token)) { IsBackground = true };
        _threads.Add(t);
        t.Start();
    }

    private static void WaitOpen(params SerialHeartbeatLink[] links) =>
        Assert.True(CollectingSink.Eventually(() => links.All(l => l.IsOpen), Wait), "serial device did not open");

    private sealed class BlockingSink(ManualResetEventSlim gate) : IFrameSink
    {
        public volatile bool Entered;

        public void OnFrame(ReadOnlySpan<byte> payload)
        {
            Entered = true;
            gate.Wait(TimeSpan.FromSeconds(10));
        }

        public void OnFramingError(DropReason reason)
        {
        }
    }
}
