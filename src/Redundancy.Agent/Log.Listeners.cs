using Microsoft.Extensions.Logging;

namespace Redundancy.Agent;

// Listener events (control socket, replication listener): ids 600s.
internal static partial class Log
{
    [LoggerMessage(601, LogLevel.Error, "{Node}: {Listener} accept failed, retrying in {BackoffMs:F0} ms ({Count} failure(s) since the last report): {Error}")]
    public static partial void AcceptFailed(ILogger logger, string node, string listener, double backoffMs, long count, string error);

    [LoggerMessage(602, LogLevel.Warning, "{Node}: {Listener} refused a connection: {Reason} ({Count} refused since the last report)")]
    public static partial void ConnectionRefused(ILogger logger, string node, string listener, string reason, long count);

    [LoggerMessage(603, LogLevel.Error, "{Node}: {Listener} connection handler failed: {Error}")]
    public static partial void ConnectionFailed(ILogger logger, string node, string listener, string error);

    [LoggerMessage(604, LogLevel.Warning, "{Node}: {Listener} closed a connection: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string node, string listener, string reason);
}
