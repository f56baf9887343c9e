using System.Device.Gpio;
using System.Device.I2c;
using Iot.Device.Pcx857x;

namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>
/// A PCF8574 that starts with every line released. Iot.Device.Bindings 4.2's <c>Pcx857x</c> constructor writes
/// 0x00 (every line driven low) and counts every pin as an output: on the usual active-low relay board that
/// switches every relay on at start, on a standby too. Here that write is held back, every pin is set to input
/// (the chip's quasi-bidirectional high: a weak pull-up, the power-on state), and the first byte the chip sees
/// is 0xFF. On this chip "output high" and "input" are the same level, so the base class's "set the mode, then
/// write the value" opens an output without a glitch.
/// </summary>
public sealed class ReleasedPcf8574 : Pcf8574
{
    private const int Lines = 8;

    private ReleasedPcf8574(HeldI2cDevice device)
        : base(device)
    {
        for (var pin = 0; pin < Lines; pin++)
        {
            SetPinMode(pin, PinMode.Input);
        }

        device.Release();
        SetPinMode(0, PinMode.Input); // writes the whole byte: 0xFF
    }

    /// <summary>Opens the chip at <paramref name="device"/>, which this instance owns; writes 0xFF once.</summary>
    public static ReleasedPcf8574 Open(I2cDevice device) => new(new HeldI2cDevice(device));
}
