using System.Buffers.Binary;
using System.Text.Json;

namespace Redundancy.Edges.Outputs.Simulated;

/// <summary>
/// Wire protocol between a node's <see cref="SimulatedGpioDriver"/> and the simulated cabinet, over a Unix
/// stream socket. The node first sends <see cref="Hello"/> (its wiring, JSON, length-prefixed); then every
/// pin operation is a fixed 4-byte message, and the cabinet pushes input changes the same way. The
/// connection is the node's power: when the process disappears, the cabinet sees the socket close.
/// </summary>
public static class CabinetProtocol
{
    /// <summary>Node to cabinet: wiring (u16 big-endian length, then JSON).</summary>
    public const byte Hello = 1;

    /// <summary>Node to cabinet: pin operation (u16 pin, u8 op and value, then i64 when: the machine's monotonic
    /// clock at the moment the node moved the pin, so the timeline is right however the cabinet's threads run).</summary>
    public const byte PinOperation = 2;

    /// <summary>Length of a pin operation message.</summary>
    public const int PinOperationLength = 12;

    /// <summary>Cabinet to node: an input changed (u16 pin, u8 value, u8 0).</summary>
    public const byte InputChanged = 3;

    /// <summary>Pin op: switch to output at value.</summary>
    public const byte OpOutput = 1;

    /// <summary>Pin op: switch to input (release).</summary>
    public const byte OpRelease = 2;

    /// <summary>Pin op: write value (output pins).</summary>
    public const byte OpWrite = 3;

    /// <summary>Encodes a 4-byte message.</summary>
    public static void Write4(Span<byte> destination, byte type, int pin, byte a, byte b)
    {
        destination[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)pin);
        destination[3] = (byte)((a & 0x0F) | (b << 4));
    }

    /// <summary>Encodes a pin operation stamped with <paramref name="timestamp"/>.</summary>
    public static void WritePinOperation(Span<byte> destination, int pin, byte op, byte value, long timestamp)
    {
        Write4(destination, PinOperation, pin, op, value);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], timestamp);
    }

    /// <summary>The timestamp of a pin operation message.</summary>
    public static long ReadTimestamp(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadInt64BigEndian(message[4..]);

    /// <summary>Decodes a 4-byte message.</summary>
    public static (byte Type, int Pin, byte A, byte B) Read4(ReadOnlySpan<byte> source) =>
        (source[0], BinaryPrimitives.ReadUInt16BigEndian(source[1..]), (byte)(source[3] & 0x0F), (byte)(source[3] >> 4));

    /// <summary>Encodes the hello message.</summary>
    public static byte[] EncodeHello(CabinetWiring wiring)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(wiring);
        var message = new byte[3 + json.Length];
        message[0] = Hello;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(1), (ushort)json.Length);
        json.CopyTo(message, 3);
        return message;
    }

    /// <summary>Decodes the JSON body of a hello message.</summary>
    public static CabinetWiring DecodeHello(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<CabinetWiring>(json) ?? throw new InvalidDataException("empty cabinet hello");
}

/// <summary>How one node is wired into the cabinet.</summary>
/// <param name="Node">Node name ("A").</param>
/// <param name="FieldOutputs">Field output channels: name to pin.</param>
/// <param name="LifePin">Life signal to this node's watchdog relay, or null when there is no relay.</param>
/// <param name="RelayHoldMs">The relay's hold time.</param>
/// <param name="IAmActivePin">This node's "I am active" output, or null.</param>
/// <param name="PeerActivePin">This node's "peer active" input, or null.</param>
/// <param name="IAmActiveThroughRelay">This node's "I am active" line passes through its relay to the peer.</param>
public sealed record CabinetWiring(
    string Node,
    IReadOnlyList<CabinetChannel> FieldOutputs,
    int? LifePin,
    double RelayHoldMs,
    int? IAmActivePin,
    int? PeerActivePin,
    bool IAmActiveThroughRelay);

/// <summary>A field output channel and this node's pin for it.</summary>
/// <param name="Name">Channel name.</param>
/// <param name="Pin">Pin.</param>
public sealed record CabinetChannel(string Name, int Pin);
