using System.Device.I2c;

namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>An I2C device whose writes are dropped until <see cref="Release"/>: keeps a binding's constructor from
/// driving the chip before the agent has set what it should drive.</summary>
internal sealed class HeldI2cDevice(I2cDevice device) : I2cDevice
{
    private bool _released;

    public override I2cConnectionSettings ConnectionSettings => device.ConnectionSettings;

    /// <summary>From now on writes reach the chip.</summary>
    public void Release() => _released = true;

    public override void Read(Span<byte> buffer) => device.Read(buffer);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_released)
        {
            device.Write(buffer);
        }
    }

    public override void WriteByte(byte value)
    {
        if (_released)
        {
            device.WriteByte(value);
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (!_released)
        {
            throw new InvalidOperationException("the I2C device is held: a write-then-read would write");
        }

        device.WriteRead(writeBuffer, readBuffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            device.Dispose();
        }

        base.Dispose(disposing);
    }
}
