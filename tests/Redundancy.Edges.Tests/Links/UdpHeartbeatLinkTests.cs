using System.Net;
using Redundancy.Core.Heartbeat;
using Redundancy.Edges.Links;
using Redundancy.Simulation.Harness;

namespace Redundancy.Edges.Tests.Links;

/// <summary>The UDP link on loopback and between two network namespaces joined by a veth pair.</summary>
public sealed class UdpHeartbeatLinkTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public void Loopback_FramesArriveAndAreCounted()
    {
        var (a, b) = LoopbackPair();
        var sinkB = Receive(b);

        for (var i = 0; i < 50; i++)
        {
            a.Send([1, 2, 3, (byte)i]);
        }

        Assert.True(CollectingSink.Eventually(() => sinkB.Frames.Count == 50, Wait), $"got {sinkB.Frames.Count}");
        Assert.Equal(new byte[] { 1, 2, 3, 49 }, sinkB.Frames[^1]);
        Assert.Equal(50, a.Counters.FramesOut);
    }

    [Fact]
    public void DatagramFromAnotherAddress_IsDroppedAsForeignSourceAndNeverHandedOn()
    {
        // A host on the LAN that floods the heartbeat port must cost a read, not an authentication, and must not
        // pass for a misconfigured peer (whose bad-tag frames hold a takeover).
        var (a, b) = LoopbackPair();
        var sinkB = Receive(b);
        using var stranger = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));

        for (var i = 0; i < 20; i++)
        {
            stranger.SendTo(new byte[] { 6, 6, 6 }, b.LocalEndPoint);
        }

        a.Send([1, 2, 3]);

        Assert.True(CollectingSink.Eventually(() => sinkB.Frames.Count == 1 && sinkB.Errors.Count == 20, Wait), $"frames {sinkB.Frames.Count}, errors {sinkB.Errors.Count}");
        Assert.Equal(new byte[] { 1, 2, 3 }, sinkB.Frames[0]);
        Assert.All(sinkB.Errors, e => Assert.Equal(DropReason.ForeignSource, e));
    }

    [Fact]
    public void DatagramsNotYetRead_ShowAsPendingInput()
    {
        var (a, b) = LoopbackPair();
        Assert.False(b.HasPendingInput);
        a.Send([9, 9]);
        Assert.True(CollectingSink.Eventually(() => b.HasPendingInput, Wait));
        var sink = Receive(b);
        Assert.True(CollectingSink.Eventually(() => sink.Frames.Count == 1 && !b.HasPendingInput, Wait));
    }

    [Fact]
    public void PeerSocketClosed_SendsAreNotErrorsAndReceiverKeepsRunning()
    {
        var (a, b) = LoopbackPair();
        var sinkA = Receive(a);
        b.Dispose(); // the peer's process is gone: ICMP port unreachable comes back to A
        for (var i = 0; i < 5; i++)
        {
            a.Send([1]);
        }

        using var c = new UdpHeartbeatLink(new IPEndPoint(IPAddress.Loopback, 0), a.LocalEndPoint);
        c.Send([7]);
        Assert.True(CollectingSink.Eventually(() => sinkA.Frames.Any(f => f[0] == 7), Wait), "receiver stopped after an ICMP error");
    }

    [Fact]
    public void BindToAnAddressInUse_FailsNamingTheAddress()
    {
        var (a, _) = LoopbackPair();
        var ex = Assert.Throws<IOException>(() => new UdpHeartbeatLink(a.LocalEndPoint, new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.Contains(a.LocalEndPoint.ToString(), ex.Message);
    }

    [Fact]
    public void BetweenNamespaces_CablePullStopsTheFramesAndReplugBringsThemBack()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces); tools/test.sh runs it as root");
        using var net = new NetnsPair();
        var a = NetnsPair.RunIn(net.NamespaceA, () => new UdpHeartbeatLink(
            new IPEndPoint(IPAddress.Parse(net.AddressA), 5405), new IPEndPoint(IPAddress.Parse(net.AddressB), 5405)));
        var b = NetnsPair.RunIn(net.NamespaceB, () => new UdpHeartbeatLink(
            new IPEndPoint(IPAddress.Parse(net.AddressB), 5405), new IPEndPoint(IPAddress.Parse(net.AddressA), 5405)));
        _owned.Add(a);
        _owned.Add(b);
        var sinkB = Receive(b);

        Assert.True(CollectingSink.Eventually(() =>
        {
            a.Send([1]);
            return sinkB.Frames.Count > 0;
        }, Wait), "no frame crossed the veth pair");

        net.Pull();
        var before = sinkB.Frames.Count;
        for (var i = 0; i < 20; i++)
        {
            a.Send([2]);
        }

        Assert.False(CollectingSink.Eventually(() => sinkB.Frames.Count > before, TimeSpan.FromMilliseconds(300)), "frames crossed a pulled cable");

        net.Plug();
        Assert.True(CollectingSink.Eventually(() =>
        {
            a.Send([3]);
            return sinkB.Frames.Any(f => f[0] == 3);
        }, Wait), "frames did not return after the cable was plugged back");
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var o in _owned)
        {
            o.Dispose();
        }

        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }

        _stop.Dispose();
    }

    private (UdpHeartbeatLink A, UdpHeartbeatLink B) LoopbackPair()
    {
        var a = new UdpHeartbeatLink(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 9));
        var b = new UdpHeartbeatLink(new IPEndPoint(IPAddress.Loopback, 0), a.LocalEndPoint);
        a.Dispose();
        a = new UdpHeartbeatLink(a.LocalEndPoint, b.LocalEndPoint);
        _owned.Add(a);
        _owned.Add(b);
        return (a, b);
    }

    private CollectingSink Receive(UdpHeartbeatLink link)
    {
        var sink = new CollectingSink();
        var t = new Thread(() => link.RunReceiver(sink, _stop.Token)) { IsBackground = true };
        _threads.Add(t);
        t.Start();
        return sink;
    }
}
