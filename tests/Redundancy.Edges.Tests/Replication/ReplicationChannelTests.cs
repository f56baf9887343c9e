using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Redundancy.Core.Replication;
using Redundancy.Edges.Replication;

namespace Redundancy.Edges.Tests.Replication;

/// <summary>The authenticated replication connection over real TCP on loopback.</summary>
public sealed class ReplicationChannelTests : IAsyncDisposable
{
    private const uint Pair = 7;
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<IAsyncDisposable> _owned = [];

    public ReplicationChannelTests() => _listener.Start();

    [Fact]
    public async Task Handshake_ThenEntriesAndAcks_FlowBothWays()
    {
        var (client, server) = await Connect(Key, Key, Pair);
        ChangeEntry[] entries = [new(257, 1, "a", "1", 5), new(257, 2, "b", null, 6)];

        await server.SendAsync(ReplicationMessageType.Entries, ReplicationMessages.EntriesLength(entries), d => ReplicationMessages.WriteEntries(entries, d), default);
        var (type, payload) = await client.ReceiveAsync(default);
        var got = new List<ChangeEntry>();
        Assert.Equal(ReplicationMessageType.Entries, type);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadEntries(payload.Span, got));
        Assert.Equal(entries, got);

        await client.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(2, d), default);
        (type, payload) = await server.ReceiveAsync(default);
        Assert.Equal(ReplicationMessageType.Ack, type);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadAck(payload.Span, out var acked));
        Assert.Equal(2UL, acked);
        Assert.Equal(2, client.PeerNodeId);
        Assert.Equal(1, server.PeerNodeId);
    }

    [Fact]
    public async Task WrongKey_IsRefusedAsBadProof()
    {
        var other = RandomNumberGenerator.GetBytes(32);
        var ex = await Assert.ThrowsAsync<ReplicationRefusedException>(() => Connect(other, Key, Pair));
        Assert.Equal(ReplicationRefusal.BadProof, ex.Refusal);
    }

    [Fact]
    public async Task ForeignPair_IsRefusedAtHello()
    {
        var accept = AcceptOne(Key);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync((IPEndPoint)_listener.LocalEndpoint);
        var clientTask = ReplicationChannel.ConnectAsync(new NetworkStream(socket), Key, Pair + 1, 1, default);
        var ex = await Assert.ThrowsAsync<ReplicationRefusedException>(() => accept);
        Assert.Equal(ReplicationRefusal.OtherPair, ex.Refusal);
        await Assert.ThrowsAnyAsync<Exception>(() => clientTask);
    }

    [Fact]
    public async Task ReplayedFrame_IsRefused()
    {
        var recorder = new List<byte[]>();
        var (client, server) = await Connect(Key, Key, Pair, recorder);
        await client.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(1, d), default);
        await server.ReceiveAsync(default);
        var ackFrame = recorder[^1];

        await _clientRaw!.WriteAsync(ackFrame); // the same bytes again, as an attacker on the wire would

        var ex = await Assert.ThrowsAsync<ReplicationRefusedException>(() => server.ReceiveAsync(default));
        Assert.Equal(ReplicationRefusal.Replayed, ex.Refusal);
    }

    [Fact]
    public async Task TamperedFrame_IsRefused()
    {
        var recorder = new List<byte[]>();
        var (client, server) = await Connect(Key, Key, Pair, recorder);
        await client.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(1, d), default);
        await server.ReceiveAsync(default);
        var forged = recorder[^1].ToArray();
        forged[13 + 7] ^= 0xFF; // the acknowledged sequence, inside the payload
        forged[8] += 1;         // and a fresh counter, so it is not a mere replay

        await _clientRaw!.WriteAsync(forged);

        var ex = await Assert.ThrowsAsync<ReplicationRefusedException>(() => server.ReceiveAsync(default));
        Assert.Equal(ReplicationRefusal.BadTag, ex.Refusal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned)
        {
            await o.DisposeAsync();
        }

        _listener.Stop();
        _listener.Dispose();
    }

    private Stream? _clientRaw;

    private async Task<(ReplicationChannel Client, ReplicationChannel Server)> Connect(byte[] clientKey, byte[] serverKey, uint pair, List<byte[]>? recorder = null)
    {
        var accept = AcceptOne(serverKey);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync((IPEndPoint)_listener.LocalEndpoint);
        _clientRaw = new NetworkStream(socket, ownsSocket: true);
        Stream stream = recorder is null ? _clientRaw : new RecordingStream(_clientRaw, recorder);
        var client = await ReplicationChannel.ConnectAsync(stream, clientKey, pair, 1, default);
        var server = await accept;
        _owned.Add(client);
        _owned.Add(server);
        return (client, server);
    }

    private async Task<ReplicationChannel> AcceptOne(byte[] key)
    {
        var socket = await _listener.AcceptSocketAsync();
        return await ReplicationChannel.AcceptAsync(new NetworkStream(socket, ownsSocket: true), key, Pair, 2, default);
    }

    /// <summary>Passes everything through and keeps a copy of each write.</summary>
    private sealed class RecordingStream(Stream inner, List<byte[]> writes) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            writes.Add(buffer.AsSpan(offset, count).ToArray());
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            writes.Add(buffer.ToArray());
            return inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
