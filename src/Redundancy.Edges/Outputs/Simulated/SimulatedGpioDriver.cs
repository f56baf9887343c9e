using System.Collections.Concurrent;
using System.Device.Gpio;
using System.Net.Sockets;

namespace Redundancy.Edges.Outputs.Simulated;

/// <summary>
/// A <see cref="GpioDriver"/> whose pins live in the simulated cabinet (demo and tests). Outputs are sent to
/// the cabinet as they happen; inputs are pushed by the cabinet and read from a local copy.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Socket _socket;
    // Plain arrays, not dictionaries: a takeover must not pay for first-use JIT of generic collections
    // (measured: about 1 ms on the first drive of a pin with a ConcurrentDictionary here).
    private const int Pins = 1024;
    private readonly int[] _modes = new int[Pins];
    private readonly int[] _values = new int[Pins];
    private readonly ConcurrentDictionary<int, PinChangeEventHandler> _callbacks = new();
    private readonly byte[] _message = new byte[CabinetProtocol.PinOperationLength];
    private readonly Lock _sendGate = new();
    private readonly Thread _reader;
    private volatile bool _disposed;

    /// <summary>Connects to the cabinet at <paramref name="socketPath"/> and announces <paramref name="wiring"/>.</summary>
    /// <exception cref="IOException">The cabinet cannot be reached.</exception>
    public SimulatedGpioDriver(string socketPath, CabinetWiring wiring)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            _socket.Send(CabinetProtocol.EncodeHello(wiring));
        }
        catch (SocketException ex)
        {
            _socket.Dispose();
            throw new IOException($"simulated GPIO: cannot reach the cabinet at {socketPath}: {ex.Message}", ex);
        }

        _reader = new Thread(ReadInputs) { IsBackground = true, Name = "gpio-sim-inputs" };
        _reader.Start();
    }

    /// <inheritdoc />
    protected override int PinCount => Pins;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        // Opening a line does not change it; the cabinet keeps whatever the pin was.
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        // Closing a line does not release it on real hardware either: the level stays. Only mode changes move it.
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        if (mode == PinMode.Output)
        {
            SetPinMode(pinNumber, mode, Volatile.Read(ref _values[pinNumber]) != 0 ? PinValue.High : PinValue.Low);
            return;
        }

        Volatile.Write(ref _modes[pinNumber], (int)mode);
        Send(pinNumber, CabinetProtocol.OpRelease, 0);
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        if (mode != PinMode.Output)
        {
            SetPinMode(pinNumber, mode);
            return;
        }

        // One message: the pin becomes an output already at its value, no glitch.
        Volatile.Write(ref _modes[pinNumber], (int)PinMode.Output);
        Volatile.Write(ref _values[pinNumber], initialValue == PinValue.High ? 1 : 0);
        Send(pinNumber, CabinetProtocol.OpOutput, (byte)(initialValue == PinValue.High ? 1 : 0));
    }

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber) => (PinMode)Volatile.Read(ref _modes[pinNumber]);

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber) => Volatile.Read(ref _values[pinNumber]) != 0 ? PinValue.High : PinValue.Low;

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        if (GetPinMode(pinNumber) != PinMode.Output)
        {
            throw new InvalidOperationException($"pin {pinNumber} is not an output");
        }

        Volatile.Write(ref _values[pinNumber], value == PinValue.High ? 1 : 0);
        Send(pinNumber, CabinetProtocol.OpWrite, (byte)(value == PinValue.High ? 1 : 0));
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated cabinet raises input changes as callbacks only");

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks.AddOrUpdate(pinNumber, callback, (_, existing) => existing + callback);

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.AddOrUpdate(pinNumber, _ => null!, (_, existing) => (existing - callback)!);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _socket.Dispose();
        base.Dispose(disposing);
    }

    private void Send(int pin, byte op, byte value)
    {
        lock (_sendGate)
        {
            CabinetProtocol.WritePinOperation(_message, pin, op, value, TimeProvider.System.GetTimestamp());
            try
            {
                _socket.Send(_message);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                throw new IOException($"simulated GPIO: cabinet connection lost: {ex.Message}", ex);
            }
        }
    }

    private void ReadInputs()
    {
        var buffer = new byte[4];
        while (!_disposed)
        {
            var got = 0;
            try
            {
                while (got < 4)
                {
                    var n = _socket.Receive(buffer.AsSpan(got));
                    if (n == 0)
                    {
                        return;
                    }

                    got += n;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            var (type, pin, value, _) = CabinetProtocol.Read4(buffer);
            if (type != CabinetProtocol.InputChanged)
            {
                continue;
            }

            if (pin >= Pins)
            {
                continue;
            }

            var level = value != 0 ? PinValue.High : PinValue.Low;
            var old = Interlocked.Exchange(ref _values[pin], value != 0 ? 1 : 0);
            if (old != (value != 0 ? 1 : 0) && _callbacks.TryGetValue(pin, out var cb) && cb is not null)
            {
                cb(this, new PinValueChangedEventArgs(level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling, pin));
            }
        }
    }
}
