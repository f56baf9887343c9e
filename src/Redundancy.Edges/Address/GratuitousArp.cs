using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Redundancy.Edges.Address;

/// <summary>
/// Sends gratuitous ARP for an address from an interface: a broadcast ARP request whose sender and target address are
/// both the address (what <c>arping -U</c> sends; Linux neighbours update an entry they hold from it), built by hand on
/// an AF_PACKET socket, so no extra program is needed. Needs CAP_NET_RAW. Safe from any thread.
/// </summary>
public static class GratuitousArp
{
    private const ushort EtherTypeArp = 0x0806;

    /// <summary>The frame announcing <paramref name="address"/> at <paramref name="mac"/> (60 bytes, padded).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> mac, IPAddress address)
    {
        var f = new byte[60];
        var b = f.AsSpan();
        b[..6].Fill(0xff);
        mac.CopyTo(b[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(b[12..], EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(b[14..], 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(b[16..], 0x0800); // IPv4
        b[18] = 6;
        b[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(b[20..], 1); // request
        mac.CopyTo(b[22..]);
        address.TryWriteBytes(b[28..32], out _);
        address.TryWriteBytes(b[38..42], out _); // target hardware address (32..37) stays zero
        return f;
    }

    /// <summary>Sends <paramref name="count"/> of them, <paramref name="interval"/> apart (the first at once); throws
    /// <see cref="IOException"/> naming what failed.</summary>
    public static async Task SendAsync(NetInterface nic, IPAddress address, int count, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        var frame = Frame(nic.Mac, address);
        try
        {
            using var socket = new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Unspecified); // send only: no receive queue
            var to = new LinkLayerEndPoint(nic.Index, EtherTypeArp);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
                }

                await socket.SendToAsync(frame, SocketFlags.None, to, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException ex)
        {
            var why = ex.SocketErrorCode is SocketError.AccessDenied ? "permission denied (the agent needs CAP_NET_RAW)" : ex.Message;
            throw new IOException($"gratuitous ARP for {address} on {nic.Name}: {why}", ex);
        }
    }
}
