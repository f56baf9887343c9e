using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Redundancy.Agent.Witness;
using Redundancy.Core.Configuration;
using Redundancy.Core.Witness;

namespace Redundancy.Agent.Tests;

/// <summary>The TCP target's client against real loopback sockets: it posts when a good connection began, posts
/// nothing reached when the port refuses, asks only when the engine wants it, and says so in its status.</summary>
public sealed class TcpTargetClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void TargetListening_PostsTheConnectionsStart_StatusReachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var views = new ConcurrentQueue<WitnessView>();
        using var client = Client(((IPEndPoint)listener.LocalEndpoint).Port, () => true, views);

        client.Start();

        Assert.True(SpinWait.SpinUntil(() => views.Any(v => v.LastAnswerAt != 0), Wait));
        Assert.All(views, v => Assert.Equal(0, v.HeldUntil)); // a target grants no lease

        // Reachable means a connection began within two connect timeouts: on a loaded machine the client's thread may
        // be late for one, so the status is read until it says so (it must, while the target listens).
        Assert.True(SpinWait.SpinUntil(() => client.Status().Reachable == true, Wait), $"{client.Status()}");
        var status = client.Status();
        Assert.Equal("tcp-target", status.Mode);
        Assert.True(status.Asking);
        Assert.Null(status.Holder);
        Assert.Null(status.LeaseRemainingMs);
    }

    [Fact]
    public void NothingListening_PostsNeverReached_StatusUnreachable()
    {
        var port = FreePort();
        var views = new ConcurrentQueue<WitnessView>();
        using var client = Client(port, () => true, views);

        client.Start();

        Assert.True(SpinWait.SpinUntil(() => views.Count >= 3, Wait));
        Assert.All(views, v => Assert.Equal(0, v.LastAnswerAt));
        Assert.False(client.Status().Reachable);
        Assert.Null(client.Status().LastAnswerAgeMs);
    }

    [Fact]
    public void EngineDoesNotWantIt_NoConnection_StatusDoesNotKnow()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var views = new ConcurrentQueue<WitnessView>();
        using var client = Client(((IPEndPoint)listener.LocalEndpoint).Port, () => false, views);

        client.Start();
        Thread.Sleep(200); // real sockets: some rounds of 10 ms

        Assert.Empty(views);
        Assert.False(listener.Pending());
        Assert.False(client.Status().Asking);
        Assert.Null(client.Status().Reachable);
    }

    private static TcpTargetClient Client(int port, Func<bool> wants, ConcurrentQueue<WitnessView> views) =>
        new(new WitnessOptions(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromMilliseconds(40), false)
        {
            TcpTarget = true,
            ConnectTimeout = TimeSpan.FromMilliseconds(20),
        }, "A", wants, views.Enqueue, NullLogger.Instance, TimeProvider.System);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
