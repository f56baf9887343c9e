using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Redundancy.Core.Replication;

/// <summary>
/// Frames and authenticates replication messages in one direction of one connection, after the handshake.
/// Frame: length u32 (the bytes after it), type u8, counter u64, payload, tag (<see cref="TagLength"/> bytes), all
/// big-endian. Tag = the first 16 bytes of HMAC-SHA256(session key, direction u8 | counter u64 | type u8 | payload).
/// </summary>
/// <remarks>
/// <para>Use one instance to send and one to receive per connection: the active sends with
/// <see cref="ReplicationDirection.ServerToClient"/> and receives with <see cref="ReplicationDirection.ClientToServer"/>,
/// the standby the other way round. The sending instance numbers frames 1, 2, 3...; the receiving one accepts only
/// the next number, so a replayed, reordered, removed or reflected frame is refused. After any refusal, close the
/// connection.</para>
/// <para>Not thread-safe: it keeps one incremental HMAC. Encoding and decoding allocate nothing.</para>
/// <para>Building a frame in place: write the payload at <see cref="HeaderLength"/> of the frame buffer (see
/// <see cref="PayloadArea"/> and the writers of <see cref="ReplicationMessages"/>), then call <see cref="Seal"/>.</para>
/// </remarks>
public sealed class ReplicationChannelCodec : IDisposable
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int LengthPrefix = 4;

    /// <summary>Bytes before the payload: length u32, type u8, counter u64.</summary>
    public const int HeaderLength = LengthPrefix + 1 + 8;

    /// <summary>Bytes of the truncated tag.</summary>
    public const int TagLength = 16;

    /// <summary>Bytes a frame adds to its payload.</summary>
    public const int Overhead = HeaderLength + TagLength;

    /// <summary>The default payload limit: 1 MiB.</summary>
    public const int DefaultMaxPayloadLength = 1 << 20;

    private const int MinLengthField = 1 + 8 + TagLength;

    private readonly IncrementalHash _hmac;
    private ulong _sent;
    private ulong _accepted;

    /// <summary>
    /// Creates the codec of one direction. <paramref name="sessionKey"/>: from
    /// <see cref="ReplicationHandshake.DeriveSessionKey"/>; <paramref name="maxPayloadLength"/>: the largest payload
    /// sent or accepted, at least <see cref="ReplicationMessages.MaxEntryLength"/> + 4 so that any one entry fits.
    /// </summary>
    public ReplicationChannelCodec(ReadOnlySpan<byte> sessionKey, ReplicationDirection direction, int maxPayloadLength = DefaultMaxPayloadLength)
    {
        if (sessionKey.Length < ReplicationHandshake.MinKeyLength)
        {
            throw new ArgumentException($"the session key must be at least {ReplicationHandshake.MinKeyLength} bytes", nameof(sessionKey));
        }

        if (!Enum.IsDefined(direction))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "unknown direction");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadLength, ReplicationMessages.MaxEntryLength + 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPayloadLength, int.MaxValue - Overhead);
        Direction = direction;
        MaxPayloadLength = maxPayloadLength;
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, sessionKey);
    }

    /// <summary>The direction this codec's frames travel.</summary>
    public ReplicationDirection Direction { get; }

    /// <summary>The largest payload sent or accepted, in bytes.</summary>
    public int MaxPayloadLength { get; }

    /// <summary>The largest whole frame, in bytes.</summary>
    public int MaxFrameLength => MaxPayloadLength + Overhead;

    /// <summary>The counter of the last frame encoded (0 before the first).</summary>
    public ulong LastSent => _sent;

    /// <summary>The counter of the last frame accepted (0 before the first).</summary>
    public ulong LastAccepted => _accepted;

    /// <summary>Whether a message of <paramref name="type"/> travels in <paramref name="direction"/>.</summary>
    public static bool Travels(ReplicationMessageType type, ReplicationDirection direction) => type switch
    {
        ReplicationMessageType.Resume or ReplicationMessageType.Ack => direction == ReplicationDirection.ClientToServer,
        ReplicationMessageType.Entries or ReplicationMessageType.SnapshotBegin or ReplicationMessageType.SnapshotChunk
            or ReplicationMessageType.SnapshotEnd or ReplicationMessageType.Diverged => direction == ReplicationDirection.ServerToClient,
        ReplicationMessageType.Keepalive => Enum.IsDefined(direction),
        _ => false,
    };

    /// <summary>Where a payload goes in a frame buffer.</summary>
    public static Span<byte> PayloadArea(Span<byte> frame) => frame[HeaderLength..];

    /// <summary>
    /// Completes a frame whose <paramref name="payloadLength"/> bytes of payload already sit at
    /// <see cref="HeaderLength"/> of <paramref name="frame"/>: writes header and tag with the next counter.
    /// Returns the frame's length (payload + <see cref="Overhead"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A type that does not travel in this direction, a payload over the limit,
    /// or a buffer too small for the frame. The counter does not advance.</exception>
    public int Seal(ReplicationMessageType type, int payloadLength, Span<byte> frame)
    {
        if (!Travels(type, Direction))
        {
            throw new ArgumentException($"{type} does not travel {Direction}", nameof(type));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, MaxPayloadLength);
        var length = payloadLength + Overhead;
        if (frame.Length < length)
        {
            throw new ArgumentException($"the frame needs {length} bytes", nameof(frame));
        }

        var counter = _sent + 1;
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(length - LengthPrefix));
        frame[LengthPrefix] = (byte)type;
        BinaryPrimitives.WriteUInt64BigEndian(frame[(LengthPrefix + 1)..], counter);
        ComputeTag(type, counter, frame.Slice(HeaderLength, payloadLength), frame.Slice(HeaderLength + payloadLength, TagLength));
        _sent = counter;
        return length;
    }

    /// <summary>Copies <paramref name="payload"/> into a frame in <paramref name="destination"/> and seals it (see
    /// <see cref="Seal"/>); returns the frame's length.</summary>
    public int Encode(ReplicationMessageType type, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (destination.Length < payload.Length + Overhead)
        {
            throw new ArgumentException($"the frame needs {payload.Length + Overhead} bytes", nameof(destination));
        }

        payload.CopyTo(destination[HeaderLength..]);
        return Seal(type, payload.Length, destination);
    }

    /// <summary>
    /// Reads a frame's first <see cref="LengthPrefix"/> bytes: the whole frame's length (prefix included) to read
    /// before <see cref="TryDecode"/>. Refuses <see cref="ReplicationRefusal.TooLarge"/> above
    /// <see cref="MaxFrameLength"/>, <see cref="ReplicationRefusal.Malformed"/> below the smallest frame.
    /// </summary>
    public ReplicationRefusal TryReadFrameLength(ReadOnlySpan<byte> prefix, out int frameLength)
    {
        frameLength = 0;
        if (prefix.Length < LengthPrefix)
        {
            return ReplicationRefusal.Malformed;
        }

        var field = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (field > (uint)(MaxFrameLength - LengthPrefix))
        {
            return ReplicationRefusal.TooLarge;
        }

        if (field < MinLengthField)
        {
            return ReplicationRefusal.Malformed;
        }

        frameLength = (int)field + LengthPrefix;
        return ReplicationRefusal.None;
    }

    /// <summary>
    /// Checks and opens one whole frame. Returns <see cref="ReplicationRefusal.None"/> with its type and payload (a
    /// slice of <paramref name="frame"/>), or why it is refused: <see cref="ReplicationRefusal.TooLarge"/>,
    /// <see cref="ReplicationRefusal.Malformed"/> (length field not matching the frame, or a type that does not
    /// travel in this direction), <see cref="ReplicationRefusal.BadTag"/>, <see cref="ReplicationRefusal.Replayed"/>
    /// or <see cref="ReplicationRefusal.Skipped"/>. Only an accepted frame advances the counter.
    /// </summary>
    public ReplicationRefusal TryDecode(ReadOnlySpan<byte> frame, out ReplicationMessageType type, out ReadOnlySpan<byte> payload)
    {
        type = default;
        payload = default;
        var refusal = TryReadFrameLength(frame, out var length);
        if (refusal != ReplicationRefusal.None)
        {
            return refusal;
        }

        if (frame.Length != length)
        {
            return ReplicationRefusal.Malformed;
        }

        var kind = (ReplicationMessageType)frame[LengthPrefix];
        var counter = BinaryPrimitives.ReadUInt64BigEndian(frame[(LengthPrefix + 1)..]);
        var body = frame[HeaderLength..^TagLength];
        Span<byte> tag = stackalloc byte[TagLength];
        ComputeTag(kind, counter, body, tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, frame[^TagLength..]))
        {
            return ReplicationRefusal.BadTag;
        }

        if (!Travels(kind, Direction))
        {
            return ReplicationRefusal.Malformed;
        }

        if (counter <= _accepted)
        {
            return ReplicationRefusal.Replayed;
        }

        if (counter != _accepted + 1)
        {
            return ReplicationRefusal.Skipped;
        }

        _accepted = counter;
        type = kind;
        payload = body;
        return ReplicationRefusal.None;
    }

    /// <inheritdoc />
    public void Dispose() => _hmac.Dispose();

    private void ComputeTag(ReplicationMessageType type, ulong counter, ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        Span<byte> head = stackalloc byte[1 + 8 + 1];
        head[0] = (byte)Direction;
        BinaryPrimitives.WriteUInt64BigEndian(head[1..], counter);
        head[9] = (byte)type;
        Span<byte> mac = stackalloc byte[32];
        _hmac.AppendData(head);
        _hmac.AppendData(payload);
        _hmac.GetHashAndReset(mac);
        mac[..TagLength].CopyTo(tag);
    }
}
