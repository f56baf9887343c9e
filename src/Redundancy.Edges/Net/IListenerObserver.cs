namespace Redundancy.Edges.Net;

/// <summary>What a <see cref="BoundedListener"/> reports. Called on the thread pool; must not block.</summary>
public interface IListenerObserver
{
    /// <summary>accept failed (for example EMFILE: no descriptor left); the loop waits <paramref name="backoff"/> and goes on.</summary>
    void AcceptFailed(Exception error, TimeSpan backoff);

    /// <summary>A connection was accepted and closed at once: <paramref name="reason"/> names the limit.</summary>
    void Refused(string reason);

    /// <summary>A connection's handler failed with an exception it did not handle; the connection was closed.</summary>
    void HandlerFailed(Exception error);
}
