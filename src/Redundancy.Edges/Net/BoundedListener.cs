using System.Net.Sockets;

namespace Redundancy.Edges.Net;

/// <summary>
/// An accept loop that cannot be exhausted or killed: at most <see cref="BoundedListenerOptions.MaxConnections"/>
/// connections and <see cref="BoundedListenerOptions.MaxPending"/> of them in their handshake, each with a pending
/// and an idle timeout (<see cref="ListenerConnection.Token"/>); a connection over a limit is accepted and closed at
/// once (after an optional one-line refusal), so the kernel backlog never fills with clients nobody serves; an
/// accept that fails (EMFILE when descriptors run out) is reported, waited out with a growing pause and retried,
/// never the end of the loop; and a connection is served only while the <see cref="DescriptorReserve"/> can be held,
/// so that a listener never takes the descriptors the runtime needs to start a thread. Used by every listener of the agent (control socket, replication).
/// </summary>
/// <remarks><see cref="Run"/> once; handlers run on the thread pool, one task per connection.</remarks>
public sealed class BoundedListener
{
    private readonly Socket _listener;
    private readonly BoundedListenerOptions _options;
    private readonly Func<ListenerConnection, Task> _handler;
    private readonly IListenerObserver _observer;
    private readonly TimeProvider _time;
    private readonly Func<string, byte[]>? _refusal;
    private readonly DescriptorReserve _reserve;
    private int _connections;
    private int _pending;

    /// <summary>
    /// Serves connections accepted on <paramref name="listener"/> (bound and listening) with <paramref name="handler"/>.
    /// <paramref name="refusal"/>, when given, makes the bytes written to a refused connection (from the limit's
    /// reason) before it is closed: a line protocol's clients then read why. <paramref name="reserve"/> (default
    /// <see cref="DescriptorReserve.Shared"/>) must be held for a connection to be served.
    /// </summary>
    public BoundedListener(Socket listener, BoundedListenerOptions options, Func<ListenerConnection, Task> handler, IListenerObserver observer, TimeProvider time, Func<string, byte[]>? refusal = null, DescriptorReserve? reserve = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _listener = listener;
        _options = options;
        _handler = handler;
        _observer = observer;
        _time = time;
        _refusal = refusal;
        _reserve = reserve ?? DescriptorReserve.Shared;
        _reserve.TryHold();
    }

    /// <summary>Connections being served now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections not yet admitted now.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Accepts until <paramref name="cancellationToken"/> is cancelled or the listening socket is disposed.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        var backoff = _options.MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                backoff = _options.MinBackoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                // EMFILE/ENFILE/ENOMEM and friends: the pending connection stays in the backlog and the next accept
                // would fail at once again; pause, so that descriptors can be freed, and go on. The reserve goes
                // first: with no descriptor left the runtime cannot start a thread, and a pool worker that cannot
                // start ends the process.
                _reserve.Release();
                _observer.AcceptFailed(ex, backoff);
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = backoff * 2 > _options.MaxBackoff ? _options.MaxBackoff : backoff * 2;
                continue;
            }

            if (!_reserve.TryHold())
            {
                Refuse(socket, "out of file descriptors");
                continue;
            }

            if (Volatile.Read(ref _connections) >= _options.MaxConnections)
            {
                Refuse(socket, $"too many connections (limit {_options.MaxConnections})");
                continue;
            }

            if (Volatile.Read(ref _pending) >= _options.PendingLimit)
            {
                Refuse(socket, $"too many connections in their handshake (limit {_options.PendingLimit})");
                continue;
            }

            Interlocked.Increment(ref _connections);
            Interlocked.Increment(ref _pending);
            _ = Serve(socket, cancellationToken);
        }
    }

    private async Task Serve(Socket socket, CancellationToken cancellationToken)
    {
        var admitted = 0;
        var connection = new ListenerConnection(socket, _options, _time, () =>
        {
            Interlocked.Exchange(ref admitted, 1);
            Interlocked.Decrement(ref _pending);
        }, cancellationToken);
        try
        {
            await Task.Yield(); // off the accept loop
            await _handler(connection).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _observer.HandlerFailed(ex);
        }
        finally
        {
            if (Interlocked.Exchange(ref admitted, 1) == 0)
            {
                Interlocked.Decrement(ref _pending);
            }

            connection.Dispose();
            Interlocked.Decrement(ref _connections);
        }
    }

    private void Refuse(Socket socket, string reason)
    {
        _observer.Refused(reason);
        using (socket)
        {
            if (_refusal is null)
            {
                return;
            }

            try
            {
                // Never blocks the accept loop: a fresh socket's send buffer is empty, and a full one loses the line.
                socket.Blocking = false;
                socket.Send(_refusal(reason), SocketFlags.None, out _);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // the client went already
            }
        }
    }
}
