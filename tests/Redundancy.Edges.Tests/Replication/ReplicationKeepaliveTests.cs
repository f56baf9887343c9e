using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Replication;
using Redundancy.Edges.Replication;

namespace Redundancy.Edges.Tests.Replication;

/// <summary>Keepalives and the keepalive watch of a replication channel over real TCP on loopback.</summary>
public sealed class ReplicationKeepaliveTests : IAsyncDisposable
{
    private const uint Pair = 7;
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly KeepaliveOptions Fast = new() { Interval = TimeSpan.FromMilliseconds(50), SilentAfterMissed = 2, DeadAfterMissed = 4 };

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<IAsyncDisposable> _owned = [];

    public ReplicationKeepaliveTests() => _listener.Start();

    [Fact]
    public async Task PeerThatSendsNothing_IsDeclaredDead_TheWaitEndsWithTheReason()
    {
        var (_, server) = await Connect(); // the client never runs its keepalives: a black hole, as seen from the server
        var time = new FakeTimeProvider();
        using var session = new CancellationTokenSource();
        var states = new List<LivenessState>();
        var watch = server.RunKeepalive(Fast, time, s => { lock (states) { states.Add(s); } }, session);
        var receive = server.ReceiveAsync(session.Token);

        for (var i = 0; i < 30 && !receive.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(5);
        }

        var ex = await Assert.ThrowsAsync<IOException>(() => receive.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("4 keepalives of 50 ms missed", ex.Message);
        Assert.Contains("4 keepalives", server.Failure);
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
        lock (states)
        {
            Assert.Equal([LivenessState.Silent, LivenessState.Dead], states);
        }
    }

    [Fact]
    public async Task KeepalivesBothWays_KeepAnIdleSessionOpen_AndAreNeverDelivered()
    {
        var (client, server) = await Connect();
        using var clientSession = new CancellationTokenSource();
        using var serverSession = new CancellationTokenSource();
        var time = new FakeTimeProvider(); // both sides: silence is judged on this clock, never on the box's scheduling
        _ = client.RunKeepalive(Fast, time, _ => { }, clientSession);
        _ = server.RunKeepalive(Fast, time, _ => { }, serverSession);
        var receive = server.ReceiveAsync(serverSession.Token);

        // Idle for five times the dead limit. Each step waits (on the real clock) for the keepalive it made due to land,
        // so a slow box delays the test instead of failing it.
        for (var step = 0; step < 100 && !receive.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            var landed = Stopwatch.StartNew();
            while (server.Liveness!.Silence > Fast.Interval + TimeSpan.FromMilliseconds(20) && !receive.IsCompleted && landed.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(1);
            }
        }

        Assert.False(receive.IsCompleted, "a keepalive was delivered as a message, or the session died");
        await client.SendAsync(ReplicationMessageType.Ack, 8, d => ReplicationMessages.WriteAck(9, d), clientSession.Token);

        var (type, payload) = await receive.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ReplicationMessageType.Ack, type);
        Assert.Equal(ReplicationRefusal.None, ReplicationMessages.TryReadAck(payload.Span, out var acked));
        Assert.Equal(9UL, acked);
        Assert.Null(server.Failure);
        Assert.Null(client.Failure);
        await clientSession.CancelAsync();
        await serverSession.CancelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned)
        {
            await o.DisposeAsync();
        }

        _listener.Stop();
    }

    private async Task<(ReplicationChannel Client, ReplicationChannel Server)> Connect()
    {
        var accept = Task.Run(async () =>
        {
            var s = await _listener.AcceptSocketAsync();
            return await ReplicationChannel.AcceptAsync(new NetworkStream(s, ownsSocket: true), Key, Pair, 2, default);
        });
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync((IPEndPoint)_listener.LocalEndpoint);
        var client = await ReplicationChannel.ConnectAsync(new NetworkStream(socket, ownsSocket: true), Key, Pair, 1, default);
        var server = await accept;
        _owned.Add(client);
        _owned.Add(server);
        return (client, server);
    }
}
