using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Redundancy.Edges.Net;

namespace Redundancy.Edges.Tests.Net;

/// <summary>The listener on a real Unix socket; its timeouts on a fake clock.</summary>
public sealed class BoundedListenerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Socket _listening = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly Observer _observer = new();
    private readonly string _path;

    public BoundedListenerTests()
    {
        _path = _dir.File("l.sock");
        _listening.Bind(new UnixDomainSocketEndPoint(_path));
        _listening.Listen(16);
    }

    [Fact]
    public async Task IdleClient_IsClosedAtTheIdleTimeout_NotBefore()
    {
        var closed = Start(new BoundedListenerOptions { IdleTimeout = TimeSpan.FromSeconds(30) }, admit: true);
        using var client = Connect();
        await WaitFor(() => _listener!.Connections == 1 && _listener.Pending == 0); // admitted

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(await Completes(closed.Task, 200));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(await Completes(closed.Task, 5000), "the idle connection was not closed");
        Assert.Equal(0, await client.ReceiveAsync(new byte[1])); // closed by the listener
    }

    [Fact]
    public async Task ConnectionBusyWithARequest_OutlivesTheIdleTimeout_UntilTouched()
    {
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _listener = new BoundedListener(_listening, new BoundedListenerOptions { IdleTimeout = TimeSpan.FromSeconds(30) }, async c =>
        {
            c.Admit();
            c.Busy(); // a sync write waiting for the standby
            busy.TrySetResult();
            await done.Task;
            c.Touch();
            try
            {
                await c.Socket.ReceiveAsync(new byte[16], c.Token);
            }
            catch (OperationCanceledException)
            {
                closed.TrySetResult();
            }
        }, _observer, _time);
        _ = _listener.Run(_stop.Token);
        using var client = Connect();
        await busy.Task.WaitAsync(TimeSpan.FromSeconds(5));

        _time.Advance(TimeSpan.FromMinutes(5));
        done.TrySetResult();
        Assert.False(await Completes(closed.Task, 200), "closed while it was busy");
        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.True(await Completes(closed.Task, 5000), "not closed at the idle timeout after the answer");
    }

    [Fact]
    public async Task ClientNeverAdmitted_IsClosedAtThePendingTimeout()
    {
        var closed = Start(new BoundedListenerOptions { PendingTimeout = TimeSpan.FromSeconds(5) }, admit: false);
        using var client = Connect();
        await WaitFor(() => _listener!.Pending == 1);

        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.True(await Completes(closed.Task, 5000), "the handshake was not cut off");
        await WaitFor(() => _listener!.Pending == 0 && _listener.Connections == 0);
    }

    [Fact]
    public async Task ClientsOverTheLimits_AreRefusedWithTheReason()
    {
        Start(new BoundedListenerOptions { MaxConnections = 3, MaxPending = 2 }, admit: false);
        using var first = Connect();
        using var second = Connect();
        await WaitFor(() => _listener!.Pending == 2);

        using var third = Connect();
        Assert.Contains("in their handshake (limit 2)", await ReadAll(third));
        Assert.Equal(2, _listener!.Connections);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listening.Dispose();
        _stop.Dispose();
        _dir.Dispose();
    }

    private BoundedListener? _listener;

    private TaskCompletionSource Start(BoundedListenerOptions options, bool admit)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _listener = new BoundedListener(_listening, options, async c =>
        {
            if (admit)
            {
                c.Admit();
            }

            try
            {
                await c.Socket.ReceiveAsync(new byte[16], c.Token);
            }
            catch (OperationCanceledException)
            {
                closed.TrySetResult();
            }
        }, _observer, _time, reason => Encoding.UTF8.GetBytes(reason + "\n"));
        _ = _listener.Run(_stop.Token);
        return closed;
    }

    private Socket Connect()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(_path));
        return s;
    }

    private static async Task<string> ReadAll(Socket s)
    {
        using var timeout = new CancellationTokenSource(5000);
        var buffer = new byte[256];
        var n = await s.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static async Task<bool> Completes(Task task, int ms) => await Task.WhenAny(task, Task.Delay(ms)) == task;

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class Observer : IListenerObserver
    {
        public void AcceptFailed(Exception error, TimeSpan backoff)
        {
        }

        public void Refused(string reason)
        {
        }

        public void HandlerFailed(Exception error)
        {
        }
    }
}
