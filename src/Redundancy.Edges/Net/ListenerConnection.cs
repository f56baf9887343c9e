using System.Net.Sockets;

namespace Redundancy.Edges.Net;

/// <summary>
/// One accepted connection of a <see cref="BoundedListener"/>, handed to its handler. <see cref="Token"/> is cancelled
/// when the listener stops, when the connection is not admitted within the pending timeout, or when it stays idle
/// past the idle timeout; the handler passes it to every read and write. Thread-safe.
/// </summary>
public sealed class ListenerConnection : IDisposable
{
    private readonly BoundedListenerOptions _options;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenRegistration _stop;
    private readonly Action _admitted;
    private int _isAdmitted;
    private int _disposed;

    internal ListenerConnection(Socket socket, BoundedListenerOptions options, TimeProvider time, Action admitted, CancellationToken stop)
    {
        Socket = socket;
        _options = options;
        _admitted = admitted;
        _deadline = new CancellationTokenSource(options.PendingTimeout, time);
        _stop = stop.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _deadline);
    }

    /// <summary>The accepted socket; the listener disposes it when the handler returns.</summary>
    public Socket Socket { get; }

    /// <summary>Cancelled at stop, at the pending timeout before <see cref="Admit"/>, or at the idle timeout after it.</summary>
    public CancellationToken Token => _deadline.Token;

    /// <summary>Whether <see cref="Admit"/> was called.</summary>
    public bool IsAdmitted => Volatile.Read(ref _isAdmitted) != 0;

    /// <summary>The connection passed its handshake: it leaves the pending count and the pending timeout, and the
    /// idle timeout starts. Calling it again does nothing.</summary>
    public void Admit()
    {
        if (Interlocked.Exchange(ref _isAdmitted, 1) == 0)
        {
            _admitted();
            Touch();
        }
    }

    /// <summary>The connection did something useful (a request answered): the idle timeout starts again.
    /// Before <see cref="Admit"/> it does nothing (the pending timeout is not extended).</summary>
    public void Touch()
    {
        if (IsAdmitted && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _deadline.CancelAfter(_options.IdleTimeout);
            }
            catch (ObjectDisposedException)
            {
                // the connection ended meanwhile
            }
        }
    }

    /// <summary>The connection's request is being handled (a sync write may wait for the standby longer than the idle
    /// timeout): no idle timeout until the next <see cref="Touch"/>. Before <see cref="Admit"/> it does nothing.</summary>
    public void Busy()
    {
        if (IsAdmitted && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // the connection ended meanwhile
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Dispose();
        _deadline.Dispose();
        Socket.Dispose();
    }
}
