using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>The mutual challenge-response: both sides prove the pair key, refuse strangers and agree on a session key.</summary>
public sealed class ReplicationHandshakeTests
{
    private const uint PairId = 0x00C0FFEE;
    private const byte ClientNode = 2;
    private const byte ServerNode = 1;
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + 3))];
    private static readonly byte[] OtherKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + 4))];
    private static readonly byte[] ClientNonce = [.. Enumerable.Range(100, 16).Select(i => (byte)i)];
    private static readonly byte[] ServerNonce = [.. Enumerable.Range(200, 16).Select(i => (byte)i)];

    [Fact]
    public void HappyPath_BothSidesAcceptAndDeriveTheSameSessionKey()
    {
        var (serverRefusal, clientRefusal, serverSession, clientSession) = Run(Key, Key);

        Assert.Equal(ReplicationRefusal.None, serverRefusal);
        Assert.Equal(ReplicationRefusal.None, clientRefusal);
        Assert.Equal(ReplicationHandshake.SessionKeyLength, serverSession.Length);
        Assert.Equal(serverSession, clientSession);
        Assert.NotEqual(Key, serverSession);
    }

    [Fact]
    public void SessionKeys_DifferWithEitherNonce()
    {
        var session = SessionKey(ClientNonce, ServerNonce);
        var otherServerNonce = (byte[])ServerNonce.Clone();
        otherServerNonce[0] ^= 1;
        var otherClientNonce = (byte[])ClientNonce.Clone();
        otherClientNonce[15] ^= 1;

        Assert.NotEqual(session, SessionKey(ClientNonce, otherServerNonce));
        Assert.NotEqual(session, SessionKey(otherClientNonce, ServerNonce));
    }

    [Fact]
    public void ClientWithTheWrongKey_RefusedByTheServer()
    {
        var (serverRefusal, _, _, _) = Run(serverKey: Key, clientKey: OtherKey, clientChecksServer: false);

        Assert.Equal(ReplicationRefusal.BadProof, serverRefusal);
    }

    [Fact]
    public void ServerWithTheWrongKey_RefusedByTheClient()
    {
        var (_, clientRefusal, _, _) = Run(serverKey: OtherKey, clientKey: Key);

        Assert.Equal(ReplicationRefusal.BadProof, clientRefusal);
    }

    [Fact]
    public void HelloOfAnotherPair_RefusedAsOtherPair()
    {
        var hello = EncodeHello(new HandshakeHello(PairId + 1, ClientNode, ClientNonce));

        Assert.Equal(ReplicationRefusal.OtherPair, ReplicationHandshake.TryDecodeHello(hello, PairId, ServerNode, out var decoded));
        Assert.Null(decoded);
    }

    [Fact]
    public void HelloClaimingTheServersOwnId_RefusedAsFromSelf()
    {
        var hello = EncodeHello(new HandshakeHello(PairId, ServerNode, ClientNonce));

        Assert.Equal(ReplicationRefusal.FromSelf, ReplicationHandshake.TryDecodeHello(hello, PairId, ServerNode, out _));
    }

    [Fact]
    public void ChallengeClaimingTheClientsOwnId_RefusedAsFromSelf()
    {
        var challenge = EncodeChallenge(new HandshakeChallenge(ClientNode, ServerNonce, new byte[32]));

        Assert.Equal(ReplicationRefusal.FromSelf, ReplicationHandshake.TryDecodeChallenge(challenge, ClientNode, out _));
    }

    [Fact]
    public void HelloOfAnotherVersion_RefusedAsUnknownVersion()
    {
        var hello = EncodeHello(new HandshakeHello(PairId, ClientNode, ClientNonce));
        hello[0] = 2;

        Assert.Equal(ReplicationRefusal.UnknownVersion, ReplicationHandshake.TryDecodeHello(hello, PairId, ServerNode, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(21)]
    [InlineData(23)]
    public void HelloOfTheWrongLength_RefusedAsMalformed(int length)
    {
        var hello = new byte[length];
        EncodeHello(new HandshakeHello(PairId, ClientNode, ClientNonce)).AsSpan(0, Math.Min(length, 22)).CopyTo(hello);

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationHandshake.TryDecodeHello(hello, PairId, ServerNode, out _));
    }

    [Fact]
    public void MessagesWithNodeZero_RefusedAsMalformed()
    {
        var hello = EncodeHello(new HandshakeHello(PairId, ClientNode, ClientNonce));
        hello[5] = 0;
        var challenge = EncodeChallenge(new HandshakeChallenge(ServerNode, ServerNonce, new byte[32]));
        challenge[0] = 0;

        Assert.Equal(ReplicationRefusal.Malformed, ReplicationHandshake.TryDecodeHello(hello, PairId, ServerNode, out _));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationHandshake.TryDecodeChallenge(challenge, ClientNode, out _));
    }

    [Fact]
    public void ChallengeAndResponseOfTheWrongLength_RefusedAsMalformed()
    {
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationHandshake.TryDecodeChallenge(new byte[48], ClientNode, out _));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationHandshake.TryDecodeResponse(new byte[31], out _));
        Assert.Equal(ReplicationRefusal.Malformed, ReplicationHandshake.TryDecodeResponse(new byte[33], out _));
    }

    [Fact]
    public void EveryMessage_RoundTrips()
    {
        var proof = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();

        Assert.Equal(ReplicationRefusal.None, ReplicationHandshake.TryDecodeHello(
            EncodeHello(new HandshakeHello(PairId, ClientNode, ClientNonce)), PairId, ServerNode, out var hello));
        Assert.Equal(ReplicationRefusal.None, ReplicationHandshake.TryDecodeChallenge(
            EncodeChallenge(new HandshakeChallenge(ServerNode, ServerNonce, proof)), ClientNode, out var challenge));
        var response = new byte[ReplicationHandshake.ResponseLength];
        ReplicationHandshake.EncodeResponse(new HandshakeResponse(proof), response);
        Assert.Equal(ReplicationRefusal.None, ReplicationHandshake.TryDecodeResponse(response, out var decodedResponse));

        Assert.Equal((PairId, ClientNode), (hello!.PairId, hello.NodeId));
        Assert.Equal(ClientNonce, hello.Nonce.ToArray());
        Assert.Equal(ServerNode, challenge!.NodeId);
        Assert.Equal(ServerNonce, challenge.Nonce.ToArray());
        Assert.Equal(proof, challenge.Proof.ToArray());
        Assert.Equal(proof, decodedResponse!.Proof.ToArray());
    }

    [Fact]
    public void Hello_HasTheDocumentedLayout()
    {
        var hello = EncodeHello(new HandshakeHello(0x01020304, 9, ClientNonce));

        Assert.Equal(ReplicationHandshake.HelloLength, hello.Length);
        Assert.Equal(new byte[] { 1, 1, 2, 3, 4, 9 }, hello[..6]);
        Assert.Equal(ClientNonce, hello[6..]);
    }

    [Fact]
    public void ServerProofPresentedAsClientProof_Refused()
    {
        // A reflected proof: the labels and nonce order differ, so it proves nothing.
        var serverProof = new byte[32];
        ReplicationHandshake.ComputeServerProof(Key, PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, serverProof);

        Assert.Equal(ReplicationRefusal.BadProof,
            ReplicationHandshake.CheckClientProof(Key, PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, serverProof));
    }

    [Fact]
    public void RecordedResponseReplayedAgainstAFreshServerNonce_Refused()
    {
        var recorded = new byte[32];
        ReplicationHandshake.ComputeClientProof(Key, PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, recorded);
        var freshNonce = (byte[])ServerNonce.Clone();
        freshNonce[7] ^= 0x40;

        Assert.Equal(ReplicationRefusal.None,
            ReplicationHandshake.CheckClientProof(Key, PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, recorded));
        Assert.Equal(ReplicationRefusal.BadProof,
            ReplicationHandshake.CheckClientProof(Key, PairId, ClientNode, ServerNode, ClientNonce, freshNonce, recorded));
    }

    [Fact]
    public void Proofs_BindPairAndBothNodeIds()
    {
        var proof = new byte[32];
        ReplicationHandshake.ComputeServerProof(Key, PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, proof);

        Assert.Equal(ReplicationRefusal.BadProof,
            ReplicationHandshake.CheckServerProof(Key, PairId + 1, ClientNode, ServerNode, ClientNonce, ServerNonce, proof));
        Assert.Equal(ReplicationRefusal.BadProof,
            ReplicationHandshake.CheckServerProof(Key, PairId, 3, ServerNode, ClientNonce, ServerNonce, proof));
        Assert.Equal(ReplicationRefusal.BadProof,
            ReplicationHandshake.CheckServerProof(Key, PairId, ClientNode, 3, ClientNonce, ServerNonce, proof));
        Assert.Equal(ReplicationRefusal.BadProof,
            ReplicationHandshake.CheckServerProof(Key, PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, proof.AsSpan(0, 31)));
    }

    [Fact]
    public void KeyShorterThan16Bytes_Throws()
    {
        var proof = new byte[32];

        Assert.Throws<ArgumentException>(() =>
            ReplicationHandshake.ComputeServerProof(new byte[15], PairId, ClientNode, ServerNode, ClientNonce, ServerNonce, proof));
        Assert.Throws<ArgumentException>(() => ReplicationHandshake.DeriveSessionKey(new byte[15], ClientNonce, ServerNonce, new byte[32]));
    }

    [Fact]
    public void EncodingANonceOfTheWrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => EncodeHello(new HandshakeHello(PairId, ClientNode, new byte[15])));
        Assert.Throws<ArgumentException>(() => EncodeHello(new HandshakeHello(PairId, 0, ClientNonce)));
    }

    /// <summary>Runs the whole exchange as the transport would, each side with its own key.</summary>
    private static (ReplicationRefusal Server, ReplicationRefusal Client, byte[] ServerSession, byte[] ClientSession) Run(
        byte[] serverKey, byte[] clientKey, bool clientChecksServer = true)
    {
        // Client -> server: hello.
        var helloBytes = EncodeHello(new HandshakeHello(PairId, ClientNode, ClientNonce));
        var refusal = ReplicationHandshake.TryDecodeHello(helloBytes, PairId, ServerNode, out var hello);
        Assert.Equal(ReplicationRefusal.None, refusal);

        // Server -> client: challenge with the server's proof.
        var proofS = new byte[ReplicationHandshake.ProofLength];
        ReplicationHandshake.ComputeServerProof(serverKey, PairId, hello!.NodeId, ServerNode, hello.Nonce.Span, ServerNonce, proofS);
        var challengeBytes = EncodeChallenge(new HandshakeChallenge(ServerNode, ServerNonce, proofS));
        Assert.Equal(ReplicationRefusal.None, ReplicationHandshake.TryDecodeChallenge(challengeBytes, ClientNode, out var challenge));
        var clientRefusal = ReplicationHandshake.CheckServerProof(
            clientKey, PairId, ClientNode, challenge!.NodeId, ClientNonce, challenge.Nonce.Span, challenge.Proof.Span);
        if (clientChecksServer && clientRefusal != ReplicationRefusal.None)
        {
            return (ReplicationRefusal.None, clientRefusal, [], []);
        }

        // Client -> server: response with the client's proof.
        var proofC = new byte[ReplicationHandshake.ProofLength];
        ReplicationHandshake.ComputeClientProof(clientKey, PairId, ClientNode, challenge.NodeId, ClientNonce, challenge.Nonce.Span, proofC);
        var responseBytes = new byte[ReplicationHandshake.ResponseLength];
        ReplicationHandshake.EncodeResponse(new HandshakeResponse(proofC), responseBytes);
        Assert.Equal(ReplicationRefusal.None, ReplicationHandshake.TryDecodeResponse(responseBytes, out var response));
        var serverRefusal = ReplicationHandshake.CheckClientProof(
            serverKey, PairId, hello.NodeId, ServerNode, hello.Nonce.Span, ServerNonce, response!.Proof.Span);

        var serverSession = new byte[ReplicationHandshake.SessionKeyLength];
        ReplicationHandshake.DeriveSessionKey(serverKey, hello.Nonce.Span, ServerNonce, serverSession);
        var clientSession = new byte[ReplicationHandshake.SessionKeyLength];
        ReplicationHandshake.DeriveSessionKey(clientKey, ClientNonce, challenge.Nonce.Span, clientSession);
        return (serverRefusal, clientRefusal, serverSession, clientSession);
    }

    private static byte[] SessionKey(byte[] clientNonce, byte[] serverNonce)
    {
        var session = new byte[32];
        ReplicationHandshake.DeriveSessionKey(Key, clientNonce, serverNonce, session);
        return session;
    }

    private static byte[] EncodeHello(HandshakeHello hello)
    {
        var buffer = new byte[ReplicationHandshake.HelloLength];
        Assert.Equal(ReplicationHandshake.HelloLength, ReplicationHandshake.EncodeHello(hello, buffer));
        return buffer;
    }

    private static byte[] EncodeChallenge(HandshakeChallenge challenge)
    {
        var buffer = new byte[ReplicationHandshake.ChallengeLength];
        Assert.Equal(ReplicationHandshake.ChallengeLength, ReplicationHandshake.EncodeChallenge(challenge, buffer));
        return buffer;
    }
}
