using System.Device.I2c;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>
/// An MCP23017 (16 lines) or MCP23008 (8 lines) at register level behind <see cref="I2cDevice"/>, as the datasheet
/// has it with IOCON.BANK = 0 and sequential addressing: a write's first byte sets the register pointer, the rest are
/// written from there on, incrementing; a read reads from the pointer on. IODIR bit 1 = input (high impedance),
/// 0 = output driving its OLAT bit. A write to GPIO writes OLAT. After every transaction the pins' state is recorded,
/// so a test can see every level a pin showed, glitches included.
/// </summary>
internal sealed class Mcp23xxxSimulation : I2cDevice
{
    private readonly byte[] _registers;
    private readonly int _ports;
    private int _pointer;

    public Mcp23xxxSimulation(int lines, int address = 0x20, int bus = 1)
    {
        _ports = lines / 8;
        _registers = new byte[11 * _ports];
        for (var p = 0; p < _ports; p++)
        {
            _registers[Address(Iodir, p)] = 0xFF; // power-on: every pin an input
        }

        ConnectionSettings = new I2cConnectionSettings(bus, address);
        Record();
    }

    // Register numbers of the 8-bit map; on the 16-bit chip with BANK = 0 port A is 2n and port B 2n + 1.
    public const int Iodir = 0x00;
    public const int Gppu = 0x06;
    public const int Gpio = 0x09;
    public const int Olat = 0x0A;

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>Levels of the input pins as the outside world drives them.</summary>
    public ushort ExternalInputs { get; set; }

    /// <summary>(IODIR, OLAT) after every transaction, the power-on state first.</summary>
    public List<(ushort Iodir, ushort Olat)> History { get; } = [];

    public ushort IodirValue => Read16(Iodir);

    public ushort OlatValue => Read16(Olat);

    /// <summary>Whether <paramref name="pin"/> is an output now.</summary>
    public bool Driving(int pin) => (IodirValue & (1 << pin)) == 0;

    /// <summary>The level <paramref name="pin"/> drives, or null while it is an input (high impedance).</summary>
    public bool? Level(int pin) => Level(History[^1], pin);

    public static bool? Level((ushort Iodir, ushort Olat) state, int pin) =>
        (state.Iodir & (1 << pin)) != 0 ? null : (state.Olat & (1 << pin)) != 0;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        _pointer = buffer[0] % _registers.Length;
        foreach (var b in buffer[1..])
        {
            var register = _ports == 2 ? _pointer / 2 : _pointer;
            var port = _ports == 2 ? _pointer % 2 : 0;
            _registers[Address(register == Gpio ? Olat : register, port)] = b;
            _pointer = (_pointer + 1) % _registers.Length;
        }

        if (buffer.Length > 1)
        {
            Record();
        }
    }

    public override void Read(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            var register = _ports == 2 ? _pointer / 2 : _pointer;
            var port = _ports == 2 ? _pointer % 2 : 0;
            buffer[i] = register == Gpio ? GpioByte(port) : _registers[_pointer];
            _pointer = (_pointer + 1) % _registers.Length;
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private byte GpioByte(int port)
    {
        var iodir = _registers[Address(Iodir, port)];
        var olat = _registers[Address(Olat, port)];
        var outside = (byte)(ExternalInputs >> (8 * port));
        return (byte)((olat & ~iodir) | (outside & iodir));
    }

    private int Address(int register, int port) => _ports == 2 ? (register * 2) + port : register;

    private ushort Read16(int register) => _ports == 2
        ? (ushort)(_registers[Address(register, 0)] | (_registers[Address(register, 1)] << 8))
        : _registers[register];

    private void Record() => History.Add((Read16(Iodir), Read16(Olat)));
}
