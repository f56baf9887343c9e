using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Redundancy.Edges.Address;

/// <summary>A <c>sockaddr_ll</c> (AF_PACKET address): an interface index and an EtherType, for raw frames.</summary>
internal sealed class LinkLayerEndPoint(int interfaceIndex, ushort etherType) : EndPoint
{
    public override AddressFamily AddressFamily => AddressFamily.Packet;

    public override SocketAddress Serialize()
    {
        // struct sockaddr_ll: family (2, set by SocketAddress), protocol (2, network order), ifindex (4), hatype (2),
        // pkttype (1), halen (1), addr (8).
        var sa = new SocketAddress(AddressFamily.Packet, 20);
        var b = sa.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], etherType);
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], interfaceIndex); // host order; Linux on x86 and ARM is little-endian
        b[11] = 6;
        b.Slice(12, 6).Fill(0xff);
        return sa;
    }

    public override EndPoint Create(SocketAddress socketAddress) => this;
}
