using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Redundancy.Edges.Address;
using Redundancy.Simulation.Harness;

namespace Redundancy.Edges.Tests.Address;

/// <summary>The system IP's edges against the real kernel, in a namespace of the test's own: netlink adds and removes
/// the address (a missing one is no error), gratuitous ARP leaves the interface spaced as asked, with the right fields.</summary>
public sealed class AddressEdgeTests : IDisposable
{
    private static int _counter;
    private readonly string _ns = $"rdyg{Environment.ProcessId % 100000}x{Interlocked.Increment(ref _counter)}";
    private static readonly IPAddress Vip = IPAddress.Parse("198.19.250.100");

    public AddressEdgeTests()
    {
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        Ip("netns", "add", _ns);
        Ip("-n", _ns, "link", "add", "gx0", "type", "veth", "peer", "name", "gx1");
        Ip("-n", _ns, "link", "set", "gx0", "up");
        Ip("-n", _ns, "link", "set", "gx1", "up");
    }

    public void Dispose() => ExternalProcess.Run("ip", "netns", "del", _ns);

    [Fact]
    public void Netlink_AddsOnce_RemovesOnce_AMissingAddressIsNoError()
    {
        var (first, again) = NetnsPair.RunIn(_ns, () =>
        {
            var nic = NetInterface.Find("gx0");
            return (NetlinkAddresses.AddAsync(nic.Index, Vip, 24, CancellationToken.None).GetAwaiter().GetResult(),
                NetlinkAddresses.AddAsync(nic.Index, Vip, 24, CancellationToken.None).GetAwaiter().GetResult());
        });
        Assert.True(first);
        Assert.False(again);
        Assert.Contains("198.19.250.100/24", Addresses());

        var (removed, removedAgain) = NetnsPair.RunIn(_ns, () =>
        {
            var nic = NetInterface.Find("gx0");
            return (NetlinkAddresses.RemoveAsync(nic.Index, Vip, 24, CancellationToken.None).GetAwaiter().GetResult(),
                NetlinkAddresses.RemoveAsync(nic.Index, Vip, 24, CancellationToken.None).GetAwaiter().GetResult());
        });
        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.DoesNotContain("198.19.250.100", Addresses());
    }

    [Fact]
    public void Netlink_OnAnInterfaceThatIsGone_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => NetnsPair.RunIn(_ns, () => NetInterface.Find("nosuch0")));
        Assert.Contains("interface nosuch0 not found", error.Message);
        var removed = Assert.Throws<InvalidOperationException>(() => NetnsPair.RunIn(_ns,
            () => NetlinkAddresses.AddAsync(999_999, Vip, 24, CancellationToken.None).GetAwaiter().GetResult()));
        Assert.Contains("add 198.19.250.100/24: no such interface", removed.Message);
    }

    [Fact]
    public void GratuitousArp_ThreeSpacedRequests_SenderAndTargetAreTheAddress_FromTheInterfaceMac()
    {
        var (mac, frames) = NetnsPair.RunIn(_ns, () =>
        {
            var nic = NetInterface.Find("gx0");
            var peer = NetInterface.Find("gx1");
            using var capture = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)IPAddress.HostToNetworkOrder((short)0x0806));
            capture.Bind(new LinkLayerEndPointForTests(peer.Index));
            capture.ReceiveTimeout = 2000;
            var send = GratuitousArp.SendAsync(nic, Vip, 3, TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None);
            var got = new List<(long At, byte[] Frame)>();
            var buffer = new byte[1514];
            while (got.Count < 3)
            {
                var n = capture.Receive(buffer);
                got.Add((Stopwatch.GetTimestamp(), buffer[..n]));
            }

            send.GetAwaiter().GetResult();
            return (nic.Mac, got);
        });

        Assert.Equal(3, frames.Count);
        foreach (var (_, f) in frames)
        {
            Assert.Equal(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, f[..6]);
            Assert.Equal(mac, f[6..12]);
            Assert.Equal(new byte[] { 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1 }, f[12..22]); // ARP, Ethernet/IPv4, request
            Assert.Equal(mac, f[22..28]);
            Assert.Equal(Vip.GetAddressBytes(), f[28..32]);
            Assert.Equal(Vip.GetAddressBytes(), f[38..42]);
        }

        for (var i = 1; i < frames.Count; i++)
        {
            Assert.InRange(Stopwatch.GetElapsedTime(frames[i - 1].At, frames[i].At).TotalMilliseconds, 35, 1000);
        }
    }

    private string Addresses() => ExternalProcess.Run("ip", "-n", _ns, "-4", "addr", "show", "dev", "gx0").Output;

    private static void Ip(params string[] args)
    {
        var (code, output) = ExternalProcess.Run("ip", args);
        Assert.True(code == 0, $"ip {string.Join(' ', args)}: {output}");
    }

    // A sockaddr_ll to bind a capture to one interface for ARP (the agent's own type is internal).
    private sealed class LinkLayerEndPointForTests(int index) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var sa = new SocketAddress(AddressFamily.Packet, 20);
            var b = sa.Buffer.Span;
            b[2] = 0x08;
            b[3] = 0x06;
            BitConverter.TryWriteBytes(b[4..8], index);
            return sa;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}
