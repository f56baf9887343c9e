using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Redundancy.Core.Replication;

/// <summary>
/// The replication connection's mutual challenge-response over the pre-shared pair key (at least 16 bytes).
/// </summary>
/// <remarks>
/// <para>The standby (TCP client) sends a <see cref="HandshakeHello"/> (version u8 = 1, pair u32, node u8,
/// nonceC 16 bytes: <see cref="HelloLength"/> bytes). The active (server) checks it and replies with a
/// <see cref="HandshakeChallenge"/> (node u8, nonceS 16, proofS 32: <see cref="ChallengeLength"/> bytes), where
/// proofS = HMAC-SHA256(key, "redundancy-repl server" | pair | clientNode | serverNode | nonceC | nonceS). The client
/// checks proofS and answers a <see cref="HandshakeResponse"/> (proofC 32: <see cref="ResponseLength"/> bytes),
/// proofC = HMAC-SHA256(key, "redundancy-repl client" | pair | clientNode | serverNode | nonceS | nonceC), which the
/// server checks. Both then derive the session key HMAC-SHA256(key, "redundancy-repl session" | nonceC | nonceS)
/// for the <see cref="ReplicationChannelCodec"/>. Integers are big-endian; every message has a fixed length, so the
/// transport reads exactly that many bytes.</para>
/// <para>Nonces must be fresh random bytes (<see cref="RandomNumberGenerator.Fill"/>) for every connection: a fresh
/// nonceS is what makes a recorded response useless. Proofs are compared in constant time. Pure and thread-safe;
/// allocates only the decoded messages.</para>
/// </remarks>
public static class ReplicationHandshake
{
    /// <summary>The protocol version this build speaks.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of a nonce.</summary>
    public const int NonceLength = 16;

    /// <summary>Bytes of a proof (a whole HMAC-SHA256).</summary>
    public const int ProofLength = 32;

    /// <summary>Bytes of the derived session key.</summary>
    public const int SessionKeyLength = 32;

    /// <summary>Bytes of an encoded <see cref="HandshakeHello"/>.</summary>
    public const int HelloLength = 1 + 4 + 1 + NonceLength;

    /// <summary>Bytes of an encoded <see cref="HandshakeChallenge"/>.</summary>
    public const int ChallengeLength = 1 + NonceLength + ProofLength;

    /// <summary>Bytes of an encoded <see cref="HandshakeResponse"/>.</summary>
    public const int ResponseLength = ProofLength;

    /// <summary>The shortest pair key accepted.</summary>
    public const int MinKeyLength = 16;

    private const int ProofInputLength = 22 + 4 + 1 + 1 + NonceLength + NonceLength;

    private static ReadOnlySpan<byte> ServerLabel => "redundancy-repl server"u8;

    private static ReadOnlySpan<byte> ClientLabel => "redundancy-repl client"u8;

    private static ReadOnlySpan<byte> SessionLabel => "redundancy-repl session"u8;

    /// <summary>Writes <paramref name="hello"/> into <paramref name="destination"/>; returns <see cref="HelloLength"/>.</summary>
    /// <exception cref="ArgumentException">Node id 0, a nonce of the wrong length, or too small a destination.</exception>
    public static int EncodeHello(HandshakeHello hello, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(hello);
        RequireNode(hello.NodeId, nameof(hello));
        RequireLength(hello.Nonce.Span, NonceLength, nameof(hello));
        RequireLength(destination, HelloLength, nameof(destination), atLeast: true);
        destination[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], hello.PairId);
        destination[5] = hello.NodeId;
        hello.Nonce.Span.CopyTo(destination[6..]);
        return HelloLength;
    }

    /// <summary>
    /// Server side: checks and decodes a hello. Refuses <see cref="ReplicationRefusal.UnknownVersion"/>,
    /// <see cref="ReplicationRefusal.Malformed"/> (wrong length, node 0), <see cref="ReplicationRefusal.OtherPair"/>
    /// and <see cref="ReplicationRefusal.FromSelf"/> (the client claims <paramref name="ownNodeId"/>).
    /// </summary>
    public static ReplicationRefusal TryDecodeHello(ReadOnlySpan<byte> source, uint pairId, byte ownNodeId, out HandshakeHello? hello)
    {
        hello = null;
        if (source.Length < 1)
        {
            return ReplicationRefusal.Malformed;
        }

        if (source[0] != Version)
        {
            return ReplicationRefusal.UnknownVersion;
        }

        if (source.Length != HelloLength || source[5] == 0)
        {
            return ReplicationRefusal.Malformed;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source[1..]) != pairId)
        {
            return ReplicationRefusal.OtherPair;
        }

        if (source[5] == ownNodeId)
        {
            return ReplicationRefusal.FromSelf;
        }

        hello = new HandshakeHello(pairId, source[5], source.Slice(6, NonceLength).ToArray());
        return ReplicationRefusal.None;
    }

    /// <summary>Writes <paramref name="challenge"/> into <paramref name="destination"/>; returns <see cref="ChallengeLength"/>.</summary>
    /// <exception cref="ArgumentException">Node id 0, a nonce or proof of the wrong length, or too small a destination.</exception>
    public static int EncodeChallenge(HandshakeChallenge challenge, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        RequireNode(challenge.NodeId, nameof(challenge));
        RequireLength(challenge.Nonce.Span, NonceLength, nameof(challenge));
        RequireLength(challenge.Proof.Span, ProofLength, nameof(challenge));
        RequireLength(destination, ChallengeLength, nameof(destination), atLeast: true);
        destination[0] = challenge.NodeId;
        challenge.Nonce.Span.CopyTo(destination[1..]);
        challenge.Proof.Span.CopyTo(destination[(1 + NonceLength)..]);
        return ChallengeLength;
    }

    /// <summary>
    /// Client side: decodes a challenge. Refuses <see cref="ReplicationRefusal.Malformed"/> (wrong length, node 0)
    /// and <see cref="ReplicationRefusal.FromSelf"/>. The proof is checked by <see cref="CheckServerProof"/>.
    /// </summary>
    public static ReplicationRefusal TryDecodeChallenge(ReadOnlySpan<byte> source, byte ownNodeId, out HandshakeChallenge? challenge)
    {
        challenge = null;
        if (source.Length != ChallengeLength || source[0] == 0)
        {
            return ReplicationRefusal.Malformed;
        }

        if (source[0] == ownNodeId)
        {
            return ReplicationRefusal.FromSelf;
        }

        challenge = new HandshakeChallenge(
            source[0],
            source.Slice(1, NonceLength).ToArray(),
            source.Slice(1 + NonceLength, ProofLength).ToArray());
        return ReplicationRefusal.None;
    }

    /// <summary>Writes <paramref name="response"/> into <paramref name="destination"/>; returns <see cref="ResponseLength"/>.</summary>
    /// <exception cref="ArgumentException">A proof of the wrong length, or too small a destination.</exception>
    public static int EncodeResponse(HandshakeResponse response, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(response);
        RequireLength(response.Proof.Span, ProofLength, nameof(response));
        RequireLength(destination, ResponseLength, nameof(destination), atLeast: true);
        response.Proof.Span.CopyTo(destination);
        return ResponseLength;
    }

    /// <summary>Server side: decodes a response; <see cref="ReplicationRefusal.Malformed"/> when of the wrong length.
    /// The proof is checked by <see cref="CheckClientProof"/>.</summary>
    public static ReplicationRefusal TryDecodeResponse(ReadOnlySpan<byte> source, out HandshakeResponse? response)
    {
        response = null;
        if (source.Length != ResponseLength)
        {
            return ReplicationRefusal.Malformed;
        }

        response = new HandshakeResponse(source.ToArray());
        return ReplicationRefusal.None;
    }

    /// <summary>Computes the server's proof into <paramref name="proof"/> (<see cref="ProofLength"/> bytes).</summary>
    public static void ComputeServerProof(ReadOnlySpan<byte> pairKey, uint pairId, byte clientNodeId, byte serverNodeId,
        ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, Span<byte> proof) =>
        ComputeProof(pairKey, ServerLabel, pairId, clientNodeId, serverNodeId, clientNonce, serverNonce, proof);

    /// <summary>Client side: <see cref="ReplicationRefusal.None"/> when <paramref name="proof"/> is the server's proof
    /// for these values, else <see cref="ReplicationRefusal.BadProof"/>. Constant-time.</summary>
    public static ReplicationRefusal CheckServerProof(ReadOnlySpan<byte> pairKey, uint pairId, byte clientNodeId, byte serverNodeId,
        ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> proof)
    {
        Span<byte> expected = stackalloc byte[ProofLength];
        ComputeServerProof(pairKey, pairId, clientNodeId, serverNodeId, clientNonce, serverNonce, expected);
        return Same(expected, proof);
    }

    /// <summary>Computes the client's proof into <paramref name="proof"/> (<see cref="ProofLength"/> bytes).</summary>
    public static void ComputeClientProof(ReadOnlySpan<byte> pairKey, uint pairId, byte clientNodeId, byte serverNodeId,
        ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, Span<byte> proof) =>
        ComputeProof(pairKey, ClientLabel, pairId, clientNodeId, serverNodeId, serverNonce, clientNonce, proof);

    /// <summary>Server side: <see cref="ReplicationRefusal.None"/> when <paramref name="proof"/> is the client's proof
    /// for these values, else <see cref="ReplicationRefusal.BadProof"/>. Constant-time.</summary>
    public static ReplicationRefusal CheckClientProof(ReadOnlySpan<byte> pairKey, uint pairId, byte clientNodeId, byte serverNodeId,
        ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> proof)
    {
        Span<byte> expected = stackalloc byte[ProofLength];
        ComputeClientProof(pairKey, pairId, clientNodeId, serverNodeId, clientNonce, serverNonce, expected);
        return Same(expected, proof);
    }

    /// <summary>Derives the session key (<see cref="SessionKeyLength"/> bytes) into <paramref name="sessionKey"/>.</summary>
    public static void DeriveSessionKey(ReadOnlySpan<byte> pairKey, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, Span<byte> sessionKey)
    {
        RequireKey(pairKey);
        RequireLength(clientNonce, NonceLength, nameof(clientNonce));
        RequireLength(serverNonce, NonceLength, nameof(serverNonce));
        RequireLength(sessionKey, SessionKeyLength, nameof(sessionKey), atLeast: true);
        Span<byte> input = stackalloc byte[23 + NonceLength + NonceLength];
        SessionLabel.CopyTo(input);
        clientNonce.CopyTo(input[SessionLabel.Length..]);
        serverNonce.CopyTo(input[(SessionLabel.Length + NonceLength)..]);
        HMACSHA256.HashData(pairKey, input, sessionKey);
    }

    private static void ComputeProof(ReadOnlySpan<byte> pairKey, ReadOnlySpan<byte> label, uint pairId, byte clientNodeId,
        byte serverNodeId, ReadOnlySpan<byte> firstNonce, ReadOnlySpan<byte> secondNonce, Span<byte> proof)
    {
        RequireKey(pairKey);
        RequireLength(firstNonce, NonceLength, nameof(firstNonce));
        RequireLength(secondNonce, NonceLength, nameof(secondNonce));
        RequireLength(proof, ProofLength, nameof(proof), atLeast: true);
        Span<byte> input = stackalloc byte[ProofInputLength];
        label.CopyTo(input);
        var at = label.Length;
        BinaryPrimitives.WriteUInt32BigEndian(input[at..], pairId);
        input[at + 4] = clientNodeId;
        input[at + 5] = serverNodeId;
        firstNonce.CopyTo(input[(at + 6)..]);
        secondNonce.CopyTo(input[(at + 6 + NonceLength)..]);
        HMACSHA256.HashData(pairKey, input[..(at + 6 + NonceLength + NonceLength)], proof);
    }

    private static ReplicationRefusal Same(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> proof) =>
        proof.Length == ProofLength && CryptographicOperations.FixedTimeEquals(expected, proof)
            ? ReplicationRefusal.None
            : ReplicationRefusal.BadProof;

    private static void RequireKey(ReadOnlySpan<byte> pairKey)
    {
        if (pairKey.Length < MinKeyLength)
        {
            throw new ArgumentException($"the pair key must be at least {MinKeyLength} bytes", nameof(pairKey));
        }
    }

    private static void RequireNode(byte nodeId, string name)
    {
        if (nodeId == 0)
        {
            throw new ArgumentException("node ids are 1-255", name);
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> bytes, int length, string name, bool atLeast = false)
    {
        if (atLeast ? bytes.Length < length : bytes.Length != length)
        {
            throw new ArgumentException($"{name} needs {(atLeast ? "at least " : string.Empty)}{length} bytes", name);
        }
    }
}
