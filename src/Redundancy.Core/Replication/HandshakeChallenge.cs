namespace Redundancy.Core.Replication;

/// <summary>The active's (server's) answer to a hello. See <see cref="ReplicationHandshake"/>.</summary>
/// <param name="NodeId">The server's node id (1-255).</param>
/// <param name="Nonce">The server's fresh random nonce, <see cref="ReplicationHandshake.NonceLength"/> bytes.</param>
/// <param name="Proof">The server's proof that it holds the pair key, <see cref="ReplicationHandshake.ProofLength"/> bytes.</param>
public sealed record HandshakeChallenge(byte NodeId, ReadOnlyMemory<byte> Nonce, ReadOnlyMemory<byte> Proof);
