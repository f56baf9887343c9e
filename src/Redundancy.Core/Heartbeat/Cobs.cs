namespace Redundancy.Core.Heartbeat;

/// <summary>Consistent Overhead Byte Stuffing: removes every zero byte so that zero can delimit frames.</summary>
public static class Cobs
{
    /// <summary>The largest encoded size of <paramref name="length"/> bytes (without the delimiter).</summary>
    public static int MaxEncodedLength(int length) => length + (length / 254) + 1;

    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var codeIndex = 0;
        var write = 1;
        byte code = 1;
        foreach (var b in source)
        {
            if (b == 0)
            {
                destination[codeIndex] = code;
                codeIndex = write++;
                code = 1;
                continue;
            }

            destination[write++] = b;
            if (++code == 0xFF)
            {
                destination[codeIndex] = code;
                codeIndex = write++;
                code = 1;
            }
        }

        destination[codeIndex] = code;
        return write;
    }

    /// <summary>
    /// Decodes <paramref name="source"/> (one frame without its delimiter) into <paramref name="destination"/>.
    /// Returns the decoded length, or -1 when the input is not valid COBS.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var read = 0;
        var write = 0;
        while (read < source.Length)
        {
            var code = source[read];
            if (code == 0 || read + code > source.Length)
            {
                return -1;
            }

            read++;
            for (var i = 1; i < code; i++)
            {
                if (write >= destination.Length)
                {
                    return -1;
                }

                destination[write++] = source[read++];
            }

            if (code != 0xFF && read < source.Length)
            {
                if (write >= destination.Length)
                {
                    return -1;
                }

                destination[write++] = 0;
            }
        }

        return write;
    }
}
