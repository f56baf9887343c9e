using System.Net;
using System.Net.Sockets;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Edges.Links;

/// <summary>
/// Heartbeats as UDP unicast datagrams to the configured peer. Datagrams from any other address are dropped (and
/// counted as <see cref="DropReason.ForeignSource"/>) before anything else looks at them: a host on the LAN that
/// floods the heartbeat port costs a read each, not an authentication, and cannot pose as a misconfigured peer.
/// </summary>
public sealed class UdpHeartbeatLink : IHeartbeatLink
{
    private readonly Socket _socket;
    private readonly SocketAddress _peer;
    private readonly byte[]? _peerAddress;
    private readonly byte[] _receiveBuffer = new byte[1500];
    private volatile bool _handing;
    private volatile bool _disposed;

    /// <summary>Binds <paramref name="bind"/> and sends to <paramref name="peer"/>.</summary>
    public UdpHeartbeatLink(IPEndPoint bind, IPEndPoint peer)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(bind);
        }
        catch (SocketException ex)
        {
            _socket.Dispose();
            throw new IOException($"udp link: cannot bind {bind}: {ex.Message}", ex);
        }

        // Expedited forwarding: heartbeats must not queue behind bulk traffic on a shared switch.
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, 0xB8);
        }
        catch (SocketException)
        {
            // not supported on every stack; the heartbeat works without it
        }

        _peer = peer.Serialize();
        _peerAddress = peer.Address.Equals(IPAddress.Any) || peer.Address.Equals(IPAddress.IPv6Any) ? null : peer.Address.GetAddressBytes();
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <inheritdoc />
    public string Name => "udp";

    /// <summary>The bound local endpoint.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public LinkCounters Counters { get; } = new();

    /// <inheritdoc />
    public bool HasPendingInput
    {
        get
        {
            try
            {
                return _handing || _socket.Available > 0;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame)
    {
        try
        {
            _socket.SendTo(frame, SocketFlags.None, _peer);
            Counters.CountOut();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Unreachable network or a cable pull: the peer will notice the silence; we count it.
            Counters.CountSendError();
        }
    }

    /// <inheritdoc />
    public void RunReceiver(IFrameSink sink, CancellationToken cancellationToken)
    {
        var from = new SocketAddress(_socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested && !_disposed)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(_receiveBuffer, SocketFlags.None, from);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                continue; // ICMP port unreachable from an earlier send: the peer's socket was closed
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (_disposed || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                Counters.CountReceiveError();
                cancellationToken.WaitHandle.WaitOne(1); // a failing socket must not become a loop at real-time priority
                continue;
            }

            _handing = true;
            if (FromPeer(from))
            {
                sink.OnFrame(_receiveBuffer.AsSpan(0, n));
            }
            else
            {
                sink.OnFramingError(DropReason.ForeignSource);
            }

            _handing = false;
        }
    }

    /// <summary>Whether <paramref name="from"/> is the configured peer's address (any port). Allocates nothing.</summary>
    private bool FromPeer(SocketAddress from)
    {
        if (_peerAddress is null)
        {
            return true;
        }

        var bytes = from.Buffer.Span;
        return from.Family switch
        {
            AddressFamily.InterNetwork => _peerAddress.Length == 4 && from.Size >= 8 && bytes.Slice(4, 4).SequenceEqual(_peerAddress),
            AddressFamily.InterNetworkV6 => _peerAddress.Length == 16 && from.Size >= 24 && bytes.Slice(8, 16).SequenceEqual(_peerAddress),
            _ => false,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
    }
}
