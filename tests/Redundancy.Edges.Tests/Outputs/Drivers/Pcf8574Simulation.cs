using System.Device.I2c;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>
/// A PCF8574 behind <see cref="I2cDevice"/>: one quasi-bidirectional byte. A written 1 is a weak pull-up (the pin is
/// released: an input, or "high" to a relay driver that needs current), a 0 drives the pin low; a read returns the
/// pins (a released pin pulled low from outside reads 0). Power-on: 0xFF. Every byte written is recorded.
/// </summary>
internal sealed class Pcf8574Simulation(int address = 0x20, int bus = 1) : I2cDevice
{
    public override I2cConnectionSettings ConnectionSettings { get; } = new(bus, address);

    public byte Latch { get; private set; } = 0xFF;

    /// <summary>Pins the outside world pulls low.</summary>
    public byte PulledLow { get; set; }

    /// <summary>Every byte written, in order.</summary>
    public List<byte> Written { get; } = [];

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        foreach (var b in buffer)
        {
            Latch = b;
            Written.Add(b);
        }
    }

    public override void Read(Span<byte> buffer) => buffer.Fill((byte)(Latch & ~PulledLow));

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }
}
