using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Redundancy.Core.Witness;

/// <summary>What a witness message is.</summary>
public enum WitnessKind : byte
{
    /// <summary>Node to witness: "grant me the lease (or renew it)".</summary>
    Request = 1,

    /// <summary>Witness to node: the lease is this node's for <see cref="WitnessMessage.RemainingMs"/>.</summary>
    Granted = 2,

    /// <summary>Witness to node: another node (<see cref="WitnessMessage.Holder"/>) holds it for
    /// <see cref="WitnessMessage.RemainingMs"/>.</summary>
    Denied = 3,

    /// <summary>Witness to node: the request did not echo a recent word of this witness (first contact, a restart of
    /// either side, or a replay): ask again, echoing this one.</summary>
    Challenge = 4,
}

/// <summary>
/// One datagram between a node and the witness (<c>redundancy-witness</c>): a fixed 64-byte body and a 16-byte tag,
/// HMAC-SHA256 with the pair key over a domain byte and the body, so that neither a heartbeat nor a remote command can
/// pass for it. Freshness as for heartbeats: each side names its run (<see cref="Instance"/>) and numbers its messages
/// (<see cref="Counter"/>), and echoes the newest it heard of the other (<see cref="EchoInstance"/>,
/// <see cref="EchoCounter"/>): an answer that echoes a message sent moments ago was made after it, and a recording
/// proves nothing.
/// </summary>
/// <param name="Kind">What it is.</param>
/// <param name="PairId">The pair.</param>
/// <param name="NodeId">For a request: the asking node; for an answer: the node it answers.</param>
/// <param name="Instance">The sender's run.</param>
/// <param name="Counter">The sender's message number in that run (from 1).</param>
/// <param name="EchoInstance">The newest run of the other side heard (0: none).</param>
/// <param name="EchoCounter">The newest message of the other side heard in that run.</param>
/// <param name="Holder">For an answer: the node that holds the lease (0: none).</param>
/// <param name="RemainingMs">For an answer: how long the holder's lease still runs, from when the witness answered.</param>
public readonly record struct WitnessMessage(
    WitnessKind Kind, uint PairId, byte NodeId, ulong Instance, ulong Counter, ulong EchoInstance, ulong EchoCounter, byte Holder, uint RemainingMs)
{
    /// <summary>Bytes of a message on the wire.</summary>
    public const int Length = BodyLength + TagLength;

    /// <summary>The first byte of every witness message (its version): never a heartbeat's (3) or JSON's.</summary>
    public const byte Version = 0x57;

    private const int BodyLength = 64;
    private const int TagLength = 16;
    private const byte Domain = 0xA7;

    /// <summary>Writes the message, tagged with <paramref name="key"/>, into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    public void Encode(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        var body = destination[..BodyLength];
        body.Clear();
        body[0] = Version;
        body[1] = (byte)Kind;
        BinaryPrimitives.WriteUInt32BigEndian(body[2..], PairId);
        body[6] = NodeId;
        body[7] = Holder;
        BinaryPrimitives.WriteUInt64BigEndian(body[8..], Instance);
        BinaryPrimitives.WriteUInt64BigEndian(body[16..], Counter);
        BinaryPrimitives.WriteUInt64BigEndian(body[24..], EchoInstance);
        BinaryPrimitives.WriteUInt64BigEndian(body[32..], EchoCounter);
        BinaryPrimitives.WriteUInt32BigEndian(body[40..], RemainingMs);
        Tag(key, body, destination.Slice(BodyLength, TagLength));
    }

    /// <summary>Reads a message of <paramref name="pairId"/>, or says why not (named, for the counters and the log).</summary>
    public static string? TryDecode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> datagram, uint pairId, out WitnessMessage message)
    {
        message = default;
        if (datagram.Length != Length)
        {
            return $"{datagram.Length} bytes, a witness message has {Length}";
        }

        var body = datagram[..BodyLength];
        if (body[0] != Version)
        {
            return $"version byte 0x{body[0]:x2}, not a witness message (0x{Version:x2})";
        }

        Span<byte> tag = stackalloc byte[TagLength];
        Tag(key, body, tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, datagram.Slice(BodyLength, TagLength)))
        {
            return "the tag is not the pair key's: another pair's key, or altered";
        }

        var kind = (WitnessKind)body[1];
        if (kind is not (WitnessKind.Request or WitnessKind.Granted or WitnessKind.Denied or WitnessKind.Challenge))
        {
            return $"unknown kind {body[1]}";
        }

        var pair = BinaryPrimitives.ReadUInt32BigEndian(body[2..]);
        if (pair != pairId)
        {
            return $"pair {pair}, this is pair {pairId}";
        }

        message = new WitnessMessage(
            kind, pair, body[6], BinaryPrimitives.ReadUInt64BigEndian(body[8..]), BinaryPrimitives.ReadUInt64BigEndian(body[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(body[24..]), BinaryPrimitives.ReadUInt64BigEndian(body[32..]), body[7],
            BinaryPrimitives.ReadUInt32BigEndian(body[40..]));
        return message.Instance == 0 || message.Counter == 0 ? "instance or counter 0" : null;
    }

    private static void Tag(ReadOnlySpan<byte> key, ReadOnlySpan<byte> body, Span<byte> tag)
    {
        Span<byte> input = stackalloc byte[1 + BodyLength];
        input[0] = Domain;
        body.CopyTo(input[1..]);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(key, input, full);
        full[..TagLength].CopyTo(tag);
    }
}
