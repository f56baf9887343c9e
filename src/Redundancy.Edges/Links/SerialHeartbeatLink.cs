using Redundancy.Core.Heartbeat;

namespace Redundancy.Edges.Links;

/// <summary>
/// Heartbeats over the serial crossover: COBS frames with a CRC and a zero delimiter
/// (<see cref="SerialFraming"/>). The device is reopened after any error, so a re-plugged cable
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
    private volatile SerialDevice? _open;
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
    public bool IsOpen => _open is not null;

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

            var device = _open;
            if (device is null || !device.TryEnter())
            {
                return false;
            }

            try
            {
                return device.Available > 0;
            }
            finally
            {
                device.Exit();
            }
        }
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame)
    {
        var n = SerialFraming.Encode(frame, _sendBuffer);
        var device = _open;
        if (device is null || !device.TryEnter())
        {
            Counters.CountSendError();
            return;
        }

        // No lock is held while writing: a stalled line delays only this link's sender, up to the write timeout.
        try
        {
            if (device.Write(_sendBuffer.AsSpan(0, n), _writeTimeoutMs))
            {
                Counters.CountOut();
            }
            else
            {
                Counters.CountSendError();
            }
        }
        catch (IOException)
        {
            Counters.CountSendError();
        }
        finally
        {
            device.Exit();
        }
    }

    /// <inheritdoc />
    public void RunReceiver(IFrameSink sink, CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested && !_disposed)
        {
            sink.OnRecovering(true); // opening (and failing to) allocates: not at real-time priority
            var device = TryOpen(first);
            first = false;
            if (device is null)
            {
                cancellationToken.WaitHandle.WaitOne(_reopenDelay);
                continue;
            }

            sink.OnRecovering(false);
            var delivered = ReadUntilError(device, sink, cancellationToken); // recovering again when it returns
            Close(device);
            if (!delivered)
            {
                // A line that fails before it delivered a byte (hung up) must not become an open-fail-close
                // loop at real-time priority.
                cancellationToken.WaitHandle.WaitOne(_reopenDelay);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        lock (_gate)
        {
            _open?.Dispose();
            _open = null;
        }
    }

    private SerialDevice? TryOpen(bool first)
    {
        SerialDevice device;
        try
        {
            device = SerialDevice.Open(_device, _baud);
        }
        catch (IOException ex)
        {
            LastError = $"cannot open {_device}: {ex.Message}";
            return null;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                device.Dispose();
                return null;
            }

            _open = device;
        }

        if (!first)
        {
            Counters.CountReopen();
        }

        LastError = null;
        return device;
    }

    /// <summary>Reads until the line fails or the link stops; true when it delivered any bytes.</summary>
    private bool ReadUntilError(SerialDevice device, IFrameSink sink, CancellationToken cancellationToken)
    {
        var delivered = false;
        var idle = 0;
        while (!cancellationToken.IsCancellationRequested && !_disposed)
        {
            int n;
            try
            {
                // A bounded wait so that cancellation is noticed; data wakes the poll at once.
                n = device.Read(_receiveBuffer, 200);
            }
            catch (IOException ex)
            {
                sink.OnRecovering(true);
                if (!_disposed)
                {
                    LastError = $"{_device}: {ex.Message}";
                    Counters.CountReceiveError();
                }

                return delivered;
            }

            if (n > 0)
            {
                _handing = true;
                _deframer.Feed(_receiveBuffer.AsSpan(0, n), sink);
                _handing = false;
                delivered = true;
                idle = 0;
            }
            else if (++idle > 2)
            {
                // Nothing read, yet the wait returned: a line that reports input it never delivers. Never spin
                // at real-time priority (one such thread kept a CPU for 950 ms): give the CPU up for 1 ms.
                cancellationToken.WaitHandle.WaitOne(1);
            }
        }

        return delivered;
    }

    private void Close(SerialDevice device)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_open, device))
            {
                _open = null;
            }
        }

        device.Dispose();
    }
}
