using System.Net;
using System.Net.Sockets;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Edges.Links;

/// <summary>Heartbeats as UDP unicast datagrams to the configured peer.</summary>
public sealed class UdpHeartbeatLink : IHeartbeatLink
{
    private readonly Socket _socket;
    private readonly SocketAddress _peer;
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
            sink.OnFrame(_receiveBuffer.AsSpan(0, n));
            _handing = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
    }
}
