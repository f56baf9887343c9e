using System.IO.Ports;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Edges.Links;

/// <summary>
/// Heartbeats over the serial crossover: COBS frames with a CRC and a zero delimiter
/// (<see cref="SerialFraming"/>). The port is reopened after any error, so a re-plugged cable
/// (or a restarted socat in tests) comes back by itself.
/// </summary>
public sealed class SerialHeartbeatLink : IHeartbeatLink
{
    private readonly string _device;
    private readonly int _baud;
    private readonly int _writeTimeoutMs;
    private readonly TimeSpan _reopenDelay;
    private readonly Lock _gate = new();
    private readonly byte[] _sendBuffer = new byte[SerialFraming.MaxEncoded];
    private readonly byte[] _receiveBuffer = new byte[512];
    private readonly SerialDeframer _deframer = new();
    private SerialPort? _port;
    private volatile bool _handing;
    private volatile bool _disposed;

    /// <summary>Creates the link; the device is opened by the receiver and whenever it was lost.</summary>
    /// <param name="device">Device path.</param>
    /// <param name="baud">Baud rate.</param>
    /// <param name="writeTimeout">Longest a send may block (a stalled line must not stall the sender).</param>
    /// <param name="reopenDelay">Pause between attempts to open a missing or failed device.</param>
    public SerialHeartbeatLink(string device, int baud, TimeSpan writeTimeout, TimeSpan reopenDelay)
    {
        _device = device;
        _baud = baud;
        _writeTimeoutMs = Math.Max(1, (int)writeTimeout.TotalMilliseconds);
        _reopenDelay = reopenDelay;
    }

    /// <inheritdoc />
    public string Name => "serial";

    /// <inheritdoc />
    public LinkCounters Counters { get; } = new();

    /// <summary>Whether the device is open right now.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _port is { IsOpen: true };
            }
        }
    }

    /// <summary>The last error opening or using the device, for status.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public bool HasPendingInput
    {
        get
        {
            if (_handing)
            {
                return true;
            }

            lock (_gate)
            {
                try
                {
                    return _port is { IsOpen: true } p && p.BytesToRead > 0;
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
                {
                    return false;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame)
    {
        var n = SerialFraming.Encode(frame, _sendBuffer);
        SerialPort? port;
        lock (_gate)
        {
            port = _port;
        }

        if (port is null)
        {
            Counters.CountSendError();
            return;
        }

        try
        {
            port.BaseStream.Write(_sendBuffer, 0, n);
            Counters.CountOut();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException or ObjectDisposedException or UnauthorizedAccessException)
        {
            Counters.CountSendError();
        }
    }

    /// <inheritdoc />
    public void RunReceiver(IFrameSink sink, CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested && !_disposed)
        {
            var port = TryOpen(first);
            first = false;
            if (port is null)
            {
                cancellationToken.WaitHandle.WaitOne(_reopenDelay);
                continue;
            }

            ReadUntilError(port, sink, cancellationToken);
            Close(port);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        lock (_gate)
        {
            _port?.Dispose();
            _port = null;
        }
    }

    private SerialPort? TryOpen(bool first)
    {
        var port = new SerialPort(_device, _baud, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = _writeTimeoutMs,
        };
        try
        {
            port.Open();
            port.DiscardInBuffer(); // bytes from before we listened belong to no frame we can trust
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            LastError = $"cannot open {_device}: {ex.Message}";
            port.Dispose();
            return null;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                port.Dispose();
                return null;
            }

            _port = port;
        }

        if (!first)
        {
            Counters.CountReopen();
        }

        LastError = null;
        return port;
    }

    private void ReadUntilError(SerialPort port, IFrameSink sink, CancellationToken cancellationToken)
    {
        var stream = port.BaseStream;
        while (!cancellationToken.IsCancellationRequested && !_disposed)
        {
            int n;
            try
            {
                n = stream.Read(_receiveBuffer, 0, _receiveBuffer.Length);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or UnauthorizedAccessException or TimeoutException)
            {
                if (!_disposed)
                {
                    LastError = $"{_device}: {ex.Message}";
                    Counters.CountReceiveError();
                }

                return;
            }

            if (n <= 0)
            {
                LastError = $"{_device}: end of stream";
                Counters.CountReceiveError();
                return;
            }

            _handing = true;
            _deframer.Feed(_receiveBuffer.AsSpan(0, n), sink);
            _handing = false;
        }
    }

    private void Close(SerialPort port)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_port, port))
            {
                _port = null;
            }
        }

        try
        {
            port.Dispose();
        }
        catch (IOException)
        {
            // the device is already gone
        }
    }
}
