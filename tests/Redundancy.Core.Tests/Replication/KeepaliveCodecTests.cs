using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>The keepalive message: both directions, authenticated and counted like every other message.</summary>
public sealed class KeepaliveCodecTests : IDisposable
{
    private static readonly byte[] SessionKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3))];
    private readonly ReplicationChannelCodec _serverSends = new(SessionKey, ReplicationDirection.ServerToClient);
    private readonly ReplicationChannelCodec _clientReceives = new(SessionKey, ReplicationDirection.ServerToClient);
    private readonly ReplicationChannelCodec _clientSends = new(SessionKey, ReplicationDirection.ClientToServer);
    private readonly ReplicationChannelCodec _serverReceives = new(SessionKey, ReplicationDirection.ClientToServer);

    public void Dispose()
    {
        _serverSends.Dispose();
        _clientReceives.Dispose();
        _clientSends.Dispose();
        _serverReceives.Dispose();
    }

    [Theory]
    [InlineData(ReplicationDirection.ServerToClient)]
    [InlineData(ReplicationDirection.ClientToServer)]
    public void Keepalive_TravelsBothWays(ReplicationDirection direction) =>
        Assert.True(ReplicationChannelCodec.Travels(ReplicationMessageType.Keepalive, direction));

    [Fact]
    public void Keepalive_IsDecodedEmpty_AndAReplayedOneIsRefused()
    {
        var first = Seal(_clientSends);
        var second = Seal(_clientSends);

        Assert.Equal(ReplicationRefusal.None, _serverReceives.TryDecode(first, out var type, out var payload));
        Assert.Equal(ReplicationMessageType.Keepalive, type);
        Assert.Equal(0, payload.Length);
        Assert.Equal(ReplicationRefusal.Replayed, _serverReceives.TryDecode(first, out _, out _));
        Assert.Equal(ReplicationRefusal.None, _serverReceives.TryDecode(second, out _, out _));
    }

    [Fact]
    public void ForgedKeepalive_IsRefused()
    {
        var frame = Seal(_serverSends);
        frame[^1] ^= 1;
        Assert.NotEqual(ReplicationRefusal.None, _clientReceives.TryDecode(frame, out _, out _));
    }

    private static byte[] Seal(ReplicationChannelCodec codec)
    {
        var frame = new byte[ReplicationChannelCodec.Overhead];
        var n = codec.Seal(ReplicationMessageType.Keepalive, 0, frame);
        return frame[..n];
    }
}
