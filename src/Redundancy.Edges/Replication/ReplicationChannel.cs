using System.Buffers;
using System.Security.Cryptography;
using Redundancy.Core.Replication;

namespace Redundancy.Edges.Replication;

/// <summary>Writes a message payload into <paramref name="destination"/>; returns its length.</summary>
public delegate int PayloadWriter(Span<byte> destination);

/// <summary>
/// One authenticated replication connection over a stream (TCP). The handshake is a mutual challenge-response
/// over the pair key; every message after it carries a counter and a tag under a session key, so a forged,
/// replayed or foreign message is refused (<see cref="ReplicationRefusedException"/>) and the connection dropped.
/// </summary>
/// <remarks>One sender and one receiver at a time: sends are serialised by a lock, receives must not overlap.</remarks>
public sealed class ReplicationChannel : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly ReplicationChannelCodec _send;
    private readonly ReplicationChannelCodec _receive;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private byte[] _receiveBuffer = new byte[64 * 1024];
    private SessionLiveness? _liveness;
    private volatile string? _failure;
    private int _keepaliveInFlight;

    private ReplicationChannel(Stream stream, byte[] sessionKey, bool isServer, byte peerNode, int maxPayload)
    {
        _stream = stream;
        PeerNodeId = peerNode;
        _send = new ReplicationChannelCodec(sessionKey, isServer ? ReplicationDirection.ServerToClient : ReplicationDirection.ClientToServer, maxPayload);
        _receive = new ReplicationChannelCodec(sessionKey, isServer ? ReplicationDirection.ClientToServer : ReplicationDirection.ServerToClient, maxPayload);
        CryptographicOperations.ZeroMemory(sessionKey);
    }

    /// <summary>The peer's node id, proven by the handshake.</summary>
    public byte PeerNodeId { get; }

    /// <summary>Why the keepalive watch ended the session (nothing received, a send stuck), or null.</summary>
    public string? Failure => _failure;

    /// <summary>The keepalive books, once <see cref="RunKeepalive"/> started.</summary>
    public SessionLiveness? Liveness => _liveness;

    /// <summary>Largest payload a message may carry.</summary>
    public int MaxPayload => _send.MaxPayloadLength;

    /// <summary>Runs the client (standby) side of the handshake on <paramref name="stream"/>; the stream is closed when it fails.</summary>
    /// <exception cref="ReplicationRefusedException">The server is not our authentic peer.</exception>
    public static Task<ReplicationChannel> ConnectAsync(Stream stream, byte[] pairKey, uint pairId, byte nodeId, CancellationToken cancellationToken) =>
        DisposeOnFailure(stream, ClientHandshake(stream, pairKey, pairId, nodeId, cancellationToken));

    /// <summary>Runs the server (active) side of the handshake on <paramref name="stream"/>; the stream is closed when it fails.</summary>
    /// <exception cref="ReplicationRefusedException">The client is not our authentic peer.</exception>
    public static Task<ReplicationChannel> AcceptAsync(Stream stream, byte[] pairKey, uint pairId, byte nodeId, CancellationToken cancellationToken) =>
        DisposeOnFailure(stream, ServerHandshake(stream, pairKey, pairId, nodeId, cancellationToken));

    private static async Task<ReplicationChannel> DisposeOnFailure(Stream stream, Task<ReplicationChannel> handshake)
    {
        try
        {
            return await handshake.ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ReplicationChannel> ClientHandshake(Stream stream, byte[] pairKey, uint pairId, byte nodeId, CancellationToken cancellationToken)
    {
        var nonceC = RandomNumberGenerator.GetBytes(ReplicationHandshake.NonceLength);
        var hello = new byte[ReplicationHandshake.HelloLength];
        ReplicationHandshake.EncodeHello(new HandshakeHello(pairId, nodeId, nonceC), hello);
        await stream.WriteAsync(hello, cancellationToken).ConfigureAwait(false);

        var challengeBytes = new byte[ReplicationHandshake.ChallengeLength];
        await stream.ReadExactlyAsync(challengeBytes, cancellationToken).ConfigureAwait(false);
        Refuse(ReplicationHandshake.TryDecodeChallenge(challengeBytes, nodeId, out var challenge), "challenge");
        Refuse(ReplicationHandshake.CheckServerProof(pairKey, pairId, nodeId, challenge!.NodeId, nonceC, challenge.Nonce.Span, challenge.Proof.Span), "server proof");

        var proof = new byte[ReplicationHandshake.ProofLength];
        ReplicationHandshake.ComputeClientProof(pairKey, pairId, nodeId, challenge.NodeId, nonceC, challenge.Nonce.Span, proof);
        var response = new byte[ReplicationHandshake.ResponseLength];
        ReplicationHandshake.EncodeResponse(new HandshakeResponse(proof), response);
        await stream.WriteAsync(response, cancellationToken).ConfigureAwait(false);

        var session = new byte[ReplicationHandshake.SessionKeyLength];
        ReplicationHandshake.DeriveSessionKey(pairKey, nonceC, challenge.Nonce.Span, session);
        return new ReplicationChannel(stream, session, isServer: false, challenge.NodeId, ReplicationChannelCodec.DefaultMaxPayloadLength);
    }

    private static async Task<ReplicationChannel> ServerHandshake(Stream stream, byte[] pairKey, uint pairId, byte nodeId, CancellationToken cancellationToken)
    {
        var helloBytes = new byte[ReplicationHandshake.HelloLength];
        await stream.ReadExactlyAsync(helloBytes, cancellationToken).ConfigureAwait(false);
        Refuse(ReplicationHandshake.TryDecodeHello(helloBytes, pairId, nodeId, out var hello), "hello");

        var nonceS = RandomNumberGenerator.GetBytes(ReplicationHandshake.NonceLength);
        var proof = new byte[ReplicationHandshake.ProofLength];
        ReplicationHandshake.ComputeServerProof(pairKey, pairId, hello!.NodeId, nodeId, hello.Nonce.Span, nonceS, proof);
        var challenge = new byte[ReplicationHandshake.ChallengeLength];
        ReplicationHandshake.EncodeChallenge(new HandshakeChallenge(nodeId, nonceS, proof), challenge);
        await stream.WriteAsync(challenge, cancellationToken).ConfigureAwait(false);

        var responseBytes = new byte[ReplicationHandshake.ResponseLength];
        await stream.ReadExactlyAsync(responseBytes, cancellationToken).ConfigureAwait(false);
        Refuse(ReplicationHandshake.TryDecodeResponse(responseBytes, out var response), "response");
        Refuse(ReplicationHandshake.CheckClientProof(pairKey, pairId, hello.NodeId, nodeId, hello.Nonce.Span, nonceS, response!.Proof.Span), "client proof");

        var session = new byte[ReplicationHandshake.SessionKeyLength];
        ReplicationHandshake.DeriveSessionKey(pairKey, hello.Nonce.Span, nonceS, session);
        return new ReplicationChannel(stream, session, isServer: true, hello.NodeId, ReplicationChannelCodec.DefaultMaxPayloadLength);
    }

    /// <summary>Sends one message whose payload (at most <paramref name="maxPayload"/> bytes) <paramref name="write"/> produces.</summary>
    public async Task SendAsync(ReplicationMessageType type, int maxPayload, PayloadWriter write, CancellationToken cancellationToken)
    {
        var frame = ArrayPool<byte>.Shared.Rent(maxPayload + ReplicationChannelCodec.Overhead);
        try
        {
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var length = Seal(type, write, frame);
                _liveness?.SendStarted();
                try
                {
                    await _stream.WriteAsync(frame.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _liveness?.SendEnded();
                }
            }
            catch (OperationCanceledException) when (_failure is { } failure)
            {
                throw new IOException($"replication to node {PeerNodeId}: {failure}");
            }
            finally
            {
                _sendGate.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Receives the next message, skipping keepalives. The payload is valid until the next receive.</summary>
    /// <exception cref="ReplicationRefusedException">The message is forged, replayed, malformed or too large.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection.</exception>
    /// <exception cref="IOException">The keepalive watch ended the session (<see cref="Failure"/> says why).</exception>
    public async Task<(ReplicationMessageType Type, ReadOnlyMemory<byte> Payload)> ReceiveAsync(CancellationToken cancellationToken)
    {
        _liveness?.ReceiveStarted();
        try
        {
            while (true)
            {
                var message = await ReceiveOneAsync(cancellationToken).ConfigureAwait(false);
                _liveness?.Received();
                if (message.Type != ReplicationMessageType.Keepalive)
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (_failure is { } failure)
        {
            throw new IOException($"replication from node {PeerNodeId}: {failure}");
        }
        finally
        {
            _liveness?.ReceiveEnded();
        }
    }

    /// <summary>
    /// Watches the session until <paramref name="session"/> is cancelled: sends a keepalive whenever nothing was sent
    /// for an interval, reports every change of the verdict to <paramref name="changed"/> (on the thread pool, not
    /// blocking), and when the peer is dead (nothing received while waiting, or a send stuck) records
    /// <see cref="Failure"/> and cancels <paramref name="session"/>, which every pending read and write of the
    /// session's owner must use. Call once, right after the handshake.
    /// </summary>
    public async Task RunKeepalive(KeepaliveOptions options, TimeProvider time, Action<LivenessState> changed, CancellationTokenSource session)
    {
        var liveness = new SessionLiveness(options, time);
        Volatile.Write(ref _liveness, liveness);
        var token = session.Token;
        var last = LivenessState.Alive;
        try
        {
            using var timer = new PeriodicTimer(options.Interval / 5, time);
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var state = liveness.State;
                if (state != last)
                {
                    last = state;
                    changed(state);
                }

                if (state == LivenessState.Dead)
                {
                    _failure = liveness.DeathReason ?? "the peer went silent";
                    await session.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (liveness.KeepaliveDue && Interlocked.Exchange(ref _keepaliveInFlight, 1) == 0)
                {
                    // Not awaited: a keepalive stuck in a full socket buffer must not stop the watch that detects it.
                    _ = SendKeepalive(token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the session ended
        }
    }

    private async Task SendKeepalive(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(ReplicationMessageType.Keepalive, 0, static _ => 0, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // the session is ending; its owner reports why
        }
        finally
        {
            Volatile.Write(ref _keepaliveInFlight, 0);
        }
    }

    private async Task<(ReplicationMessageType Type, ReadOnlyMemory<byte> Payload)> ReceiveOneAsync(CancellationToken cancellationToken)
    {
        await _stream.ReadExactlyAsync(_receiveBuffer.AsMemory(0, ReplicationChannelCodec.LengthPrefix), cancellationToken).ConfigureAwait(false);
        Refuse(_receive.TryReadFrameLength(_receiveBuffer.AsSpan(0, ReplicationChannelCodec.LengthPrefix), out var length), "frame length");
        if (_receiveBuffer.Length < length)
        {
            var bigger = new byte[Math.Max(length, _receiveBuffer.Length * 2)];
            _receiveBuffer.AsSpan(0, ReplicationChannelCodec.LengthPrefix).CopyTo(bigger);
            _receiveBuffer = bigger;
        }

        await _stream.ReadExactlyAsync(_receiveBuffer.AsMemory(ReplicationChannelCodec.LengthPrefix, length - ReplicationChannelCodec.LengthPrefix), cancellationToken).ConfigureAwait(false);
        return Decode(length);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _send.Dispose();
        _receive.Dispose();
        _sendGate.Dispose();
    }

    private int Seal(ReplicationMessageType type, PayloadWriter write, byte[] frame)
    {
        var payload = write(ReplicationChannelCodec.PayloadArea(frame));
        return _send.Seal(type, payload, frame);
    }

    private (ReplicationMessageType, ReadOnlyMemory<byte>) Decode(int length)
    {
        Refuse(_receive.TryDecode(_receiveBuffer.AsSpan(0, length), out var type, out var payload), "message");
        var offset = ReplicationChannelCodec.HeaderLength;
        return (type, _receiveBuffer.AsMemory(offset, payload.Length));
    }

    private static void Refuse(ReplicationRefusal refusal, string what)
    {
        if (refusal != ReplicationRefusal.None)
        {
            throw new ReplicationRefusedException(refusal, $"replication {what} refused: {refusal}");
        }
    }
}

/// <summary>A replication peer or message was refused; <see cref="Refusal"/> says why.</summary>
public sealed class ReplicationRefusedException(ReplicationRefusal refusal, string message) : Exception(message)
{
    /// <summary>Why.</summary>
    public ReplicationRefusal Refusal { get; } = refusal;
}
