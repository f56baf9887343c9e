using System.Buffers.Binary;
using System.Security.Cryptography;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Heartbeat;

/// <summary>
/// Encodes and authenticates heartbeat frames (HMAC-SHA256 over the pair key, tag truncated to
/// <see cref="TagLength"/> bytes). Layout, big-endian: version u8, type u8, pair u32, node u8, role u8,
/// priority u8, readiness u8, health u16, epoch u64, last applied u64, interval µs u32, instance u64, counter u64,
/// echo instance u64, echo counter u64, service level u8, mode u8, maintenance version u32, handover uid i32, tag.
/// </summary>
/// <remarks>
/// Version 2: version 1 had a 32-bit frame counter under a persisted boot counter (it wrapped after 2^32 frames,
/// and a boot counter that went backwards made every frame stale) and nothing a receiver could check for freshness.
/// Version 3 adds the service level and mode (OPC UA Part 4), the pair's maintenance version and the uid of a
/// switchover's caller: both nodes of a pair must run the same version (a frame of another is dropped and counted).
/// </remarks>
/// <remarks>
/// Not thread-safe: it keeps one incremental HMAC so that encoding and decoding allocate nothing.
/// Give every sending and receiving thread its own instance.
/// </remarks>
public sealed class HeartbeatCodec : IDisposable
{
    /// <summary>The only frame version this build speaks.</summary>
    public const byte Version = 3;

    /// <summary>Message type of a heartbeat.</summary>
    public const byte TypeHeartbeat = 1;

    /// <summary>Bytes of the truncated HMAC tag.</summary>
    public const int TagLength = 16;

    /// <summary>Bytes of the authenticated body.</summary>
    public const int BodyLength = 74;

    /// <summary>Bytes of a whole frame.</summary>
    public const int FrameLength = BodyLength + TagLength;

    private readonly IncrementalHash _hmac;
    private readonly byte[] _tag = new byte[32];

    /// <summary>Creates a codec for one pair key (at least 16 bytes).</summary>
    public HeartbeatCodec(ReadOnlySpan<byte> pairKey)
    {
        if (pairKey.Length < 16)
        {
            throw new ArgumentException("the pair key must be at least 16 bytes", nameof(pairKey));
        }

        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, pairKey);
    }

    /// <summary>Writes <paramref name="frame"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Encode(in HeartbeatFrame frame, Span<byte> destination)
    {
        if (destination.Length < FrameLength)
        {
            throw new ArgumentException($"destination needs {FrameLength} bytes", nameof(destination));
        }

        destination[0] = Version;
        destination[1] = TypeHeartbeat;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], frame.PairId);
        destination[6] = frame.NodeId;
        destination[7] = (byte)frame.Role;
        destination[8] = frame.Priority;
        destination[9] = (byte)frame.Readiness;
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], (ushort)frame.Health);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], frame.Epoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[20..], frame.LastAppliedSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], frame.SendIntervalMicros);
        BinaryPrimitives.WriteUInt64BigEndian(destination[32..], frame.Instance);
        BinaryPrimitives.WriteUInt64BigEndian(destination[40..], frame.Counter);
        BinaryPrimitives.WriteUInt64BigEndian(destination[48..], frame.EchoInstance);
        BinaryPrimitives.WriteUInt64BigEndian(destination[56..], frame.EchoCounter);
        destination[64] = frame.ServiceLevel;
        destination[65] = (byte)frame.Mode;
        BinaryPrimitives.WriteUInt32BigEndian(destination[66..], frame.MaintenanceVersion);
        BinaryPrimitives.WriteInt32BigEndian(destination[70..], frame.HandoverUid);
        ComputeTag(destination[..BodyLength]);
        _tag.AsSpan(0, TagLength).CopyTo(destination[BodyLength..]);
        return FrameLength;
    }

    /// <summary>
    /// Checks and decodes one frame. Returns <see cref="DropReason.None"/> and the frame when it is
    /// well-formed, of this pair and authentic; otherwise the reason to drop it. A frame carrying this node's own id
    /// is returned too: whether it is our own (reflected) or another node's with our id is the receiver's to judge
    /// from its instance. Replay is judged by <see cref="ReplayFilter"/>, freshness by <see cref="SentFrames"/>.
    /// </summary>
    public DropReason TryDecode(ReadOnlySpan<byte> source, uint pairId, out HeartbeatFrame frame)
    {
        frame = default;
        if (source.Length < 2)
        {
            return DropReason.Malformed;
        }

        if (source[0] != Version)
        {
            return DropReason.UnknownVersion;
        }

        if (source.Length != FrameLength || source[1] != TypeHeartbeat)
        {
            return DropReason.Malformed;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source[2..]) != pairId)
        {
            return DropReason.OtherPair;
        }

        ComputeTag(source[..BodyLength]);
        if (!CryptographicOperations.FixedTimeEquals(_tag.AsSpan(0, TagLength), source.Slice(BodyLength, TagLength)))
        {
            return DropReason.BadTag;
        }

        var role = (Role)source[7];
        var readiness = (Readiness)source[9];
        var mode = (RedundancyMode)source[65];
        if (!Enum.IsDefined(role) || !Enum.IsDefined(readiness) || !Enum.IsDefined(mode) || source[6] == 0)
        {
            return DropReason.Malformed;
        }

        frame = new HeartbeatFrame(
            PairId: pairId,
            NodeId: source[6],
            Role: role,
            Priority: source[8],
            Readiness: readiness,
            Health: (HealthFlags)BinaryPrimitives.ReadUInt16BigEndian(source[10..]),
            Epoch: BinaryPrimitives.ReadUInt64BigEndian(source[12..]),
            LastAppliedSequence: BinaryPrimitives.ReadUInt64BigEndian(source[20..]),
            SendIntervalMicros: BinaryPrimitives.ReadUInt32BigEndian(source[28..]),
            Instance: BinaryPrimitives.ReadUInt64BigEndian(source[32..]),
            Counter: BinaryPrimitives.ReadUInt64BigEndian(source[40..]),
            EchoInstance: BinaryPrimitives.ReadUInt64BigEndian(source[48..]),
            EchoCounter: BinaryPrimitives.ReadUInt64BigEndian(source[56..]),
            ServiceLevel: source[64],
            Mode: mode,
            MaintenanceVersion: BinaryPrimitives.ReadUInt32BigEndian(source[66..]),
            HandoverUid: BinaryPrimitives.ReadInt32BigEndian(source[70..]));
        return DropReason.None;
    }

    /// <summary>The pair id a frame of this version claims, or null when it is too short to say: for alarms that name
    /// what a misconfigured peer sends.</summary>
    public static uint? PeekPairId(ReadOnlySpan<byte> source) =>
        source.Length >= 6 && source[0] == Version ? BinaryPrimitives.ReadUInt32BigEndian(source[2..]) : null;

    /// <inheritdoc />
    public void Dispose() => _hmac.Dispose();

    private void ComputeTag(ReadOnlySpan<byte> body)
    {
        _hmac.AppendData(body);
        _hmac.GetHashAndReset(_tag);
    }
}
