using System.Device.Gpio;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>
/// What System.Device.Gpio 4.2's <c>LibGpiodV2Driver</c> does to a line, read from its source (no Pi here): OpenPin
/// requests the line as it is; SetPinMode(Output) reconfigures the request to output at the request's output value,
/// libgpiod's default (inactive, low) unless a write set one; Write on a line that is not an output reconfigures it to
/// output with that value in one step, on an output just sets it; ClosePin releases the request and the line keeps
/// its level. It does not override SetPinMode(pin, mode, value), so the base class sets the mode, then writes.
/// Every level a line shows is recorded.
/// </summary>
internal sealed class LibgpiodV2Model : GpioDriver
{
    private readonly Dictionary<int, (PinMode Mode, PinValue RequestValue)> _requests = [];
    private readonly Dictionary<int, PinMode> _kernel = [];

    public List<(int Pin, PinValue? Level)> Timeline { get; } = [];

    protected override int PinCount => 54;

    protected override void OpenPin(int pinNumber) => _requests[pinNumber] = (_kernel.GetValueOrDefault(pinNumber, PinMode.Input), PinValue.Low);

    protected override void ClosePin(int pinNumber) => _requests.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        var request = _requests[pinNumber];
        _requests[pinNumber] = (mode, request.RequestValue);
        Show(pinNumber, mode, request.RequestValue);
    }

    protected override PinMode GetPinMode(int pinNumber) => _kernel.GetValueOrDefault(pinNumber, PinMode.Input);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => PinValue.Low;

    protected override void Write(int pinNumber, PinValue value)
    {
        _requests[pinNumber] = (PinMode.Output, value);
        Show(pinNumber, PinMode.Output, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        new() { TimedOut = true };

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
    }

    private void Show(int pin, PinMode mode, PinValue value)
    {
        _kernel[pin] = mode;
        Timeline.Add((pin, mode == PinMode.Output ? value : null));
    }
}
