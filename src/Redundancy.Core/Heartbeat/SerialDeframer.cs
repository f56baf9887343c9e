using System.Buffers.Binary;

namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Splits a serial byte stream into frames at zero delimiters, undoes COBS and checks the CRC.
/// Any garbage costs at most the frame it lands in; the next delimiter starts afresh.
/// </summary>
/// <remarks>Not thread-safe; owned by one receiving thread. Allocates nothing after construction.</remarks>
public sealed class SerialDeframer
{
    private readonly byte[] _encoded = new byte[SerialFraming.MaxEncoded];
    private readonly byte[] _decoded = new byte[SerialFraming.MaxEncoded];
    private int _length;
    private bool _overflow;

    /// <summary>Feeds received bytes; complete frames and errors go to <paramref name="sink"/>.</summary>
    public void Feed(ReadOnlySpan<byte> input, IFrameSink sink)
    {
        foreach (var b in input)
        {
            if (b != 0)
            {
                if (_length < _encoded.Length)
                {
                    _encoded[_length++] = b;
                }
                else
                {
                    _overflow = true;
                }

                continue;
            }

            Complete(sink);
        }
    }

    private void Complete(IFrameSink sink)
    {
        var length = _length;
        var overflow = _overflow;
        _length = 0;
        _overflow = false;
        if (length == 0 && !overflow)
        {
            return; // back-to-back delimiters are idle line, not an error
        }

        if (overflow)
        {
            sink.OnFramingError(DropReason.Malformed);
            return;
        }

        var n = Cobs.Decode(_encoded.AsSpan(0, length), _decoded);
        if (n < 4)
        {
            sink.OnFramingError(DropReason.Malformed);
            return;
        }

        var payload = _decoded.AsSpan(0, n - 4);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(_decoded.AsSpan(n - 4, 4));
        if (crc != Crc32.Compute(payload))
        {
            sink.OnFramingError(DropReason.BadCrc);
            return;
        }

        sink.OnFrame(payload);
    }
}
