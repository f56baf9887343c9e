using System.Buffers.Binary;

namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Serial framing: payload + CRC-32 (little-endian), COBS-encoded, then a zero delimiter. A receiver that
/// joins mid-frame or sees line noise loses at most the frame in progress and resynchronises at the next zero.
/// </summary>
public static class SerialFraming
{
    /// <summary>The largest payload a frame may carry.</summary>
    public const int MaxPayload = 250;

    /// <summary>The largest encoded frame including its delimiter.</summary>
    public const int MaxEncoded = MaxPayload + 4 + (MaxPayload + 4) / 254 + 2;

    /// <summary>Encodes <paramref name="payload"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentException($"serial payload is limited to {MaxPayload} bytes", nameof(payload));
        }

        Span<byte> raw = stackalloc byte[MaxPayload + 4];
        payload.CopyTo(raw);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[payload.Length..], Crc32.Compute(payload));
        var n = Cobs.Encode(raw[..(payload.Length + 4)], destination);
        destination[n] = 0;
        return n + 1;
    }
}
