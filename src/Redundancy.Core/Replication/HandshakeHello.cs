namespace Redundancy.Core.Replication;

/// <summary>The standby's (client's) first handshake message. See <see cref="ReplicationHandshake"/>.</summary>
/// <param name="PairId">The pair the client belongs to.</param>
/// <param name="NodeId">The client's node id (1-255).</param>
/// <param name="Nonce">The client's fresh random nonce, <see cref="ReplicationHandshake.NonceLength"/> bytes.</param>
public sealed record HandshakeHello(uint PairId, byte NodeId, ReadOnlyMemory<byte> Nonce);
