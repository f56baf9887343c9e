using System.Device.Gpio;

namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>
/// Opens an output at its initial value by setting the level first and the direction second, for drivers whose
/// own <c>SetPinMode(pin, Output, value)</c> is the base class's "set the mode, then write": in System.Device.Gpio
/// 4.2 <c>LibGpiodV2Driver</c> turns the line to output at libgpiod's default level (inactive: low) and only then
/// writes the value, and <c>Mcp23xxx</c> clears the IODIR bit (the pin drives its latch, whatever that holds)
/// before it writes the latch. Either way a pin opened high shows low for a moment: a relay that clicks.
/// </summary>
/// <remarks>
/// The level is written through <see cref="GpioController.Write(ReadOnlySpan{PinValuePair})"/> of a controller
/// over the wrapped driver, which (unlike the single-pin write) reaches the driver whatever the pin's mode: on a
/// line that is not an output, <c>LibGpiodV2Driver.Write</c> reconfigures it to output with that value in one
/// request, and <c>Mcp23xxx.Write</c> sets the latch (the GPIO register) while the pin is still an input. The
/// direction is set afterwards only if the write did not already. Modes are cached so that a write on the engine
/// thread costs one bus transfer, not a mode read first. Not thread-safe: <see cref="GpioOutputBank"/> serialises.
/// </remarks>
public sealed class LatchFirstDriver : GpioDriver
{
    private readonly GpioDriver _driver;
    private readonly GpioController _inner;
    private readonly PinMode?[] _modes;

    /// <summary>Wraps <paramref name="driver"/>, which this instance owns and disposes.</summary>
    public LatchFirstDriver(GpioDriver driver)
    {
        _driver = driver;
        _inner = new GpioController(driver);
        _modes = new PinMode?[_inner.PinCount];
    }

    /// <inheritdoc />
    protected override int PinCount => _modes.Length;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        _inner.OpenPin(pinNumber);
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        if (_inner.IsPinOpen(pinNumber))
        {
            _inner.ClosePin(pinNumber);
        }

        _modes[pinNumber] = null;
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        _inner.SetPinMode(pinNumber, mode);
        _modes[pinNumber] = mode;
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        if (mode != PinMode.Output)
        {
            SetPinMode(pinNumber, mode);
            return;
        }

        Span<PinValuePair> level = [new PinValuePair(pinNumber, initialValue)];
        _inner.Write(level);
        if (_inner.GetPinMode(pinNumber) != PinMode.Output)
        {
            _inner.SetPinMode(pinNumber, PinMode.Output);
        }

        _modes[pinNumber] = PinMode.Output;
    }

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber) => _modes[pinNumber] ??= _inner.GetPinMode(pinNumber);

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => _inner.IsPinModeSupported(pinNumber, mode);

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber) => _inner.Read(pinNumber);

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        Span<PinValuePair> level = [new PinValuePair(pinNumber, value)];
        _inner.Write(level);
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        _inner.WaitForEvent(pinNumber, eventTypes, cancellationToken);

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _inner.RegisterCallbackForPinValueChangedEvent(pinNumber, eventTypes, callback);

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _inner.UnregisterCallbackForPinValueChangedEvent(pinNumber, callback);

    /// <inheritdoc />
    public override GpioChipInfo GetChipInfo() => _driver.GetChipInfo();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
