namespace Redundancy.Core.Replication;

/// <summary>The client's last handshake message. See <see cref="ReplicationHandshake"/>.</summary>
/// <param name="Proof">The client's proof that it holds the pair key, <see cref="ReplicationHandshake.ProofLength"/> bytes.</param>
public sealed record HandshakeResponse(ReadOnlyMemory<byte> Proof);
