using Microsoft.Extensions.Logging;

namespace Redundancy.Agent;

/// <summary>Storage, control socket and background-loop events (600s), apart from the rest so features stay apart.</summary>
internal static partial class Log
{
    [LoggerMessage(610, LogLevel.Error, "control socket: a connection failed and was closed: {Error}")]
    public static partial void ControlConnectionFailed(ILogger logger, string error);

    [LoggerMessage(611, LogLevel.Warning, "{Node}: storage: {Text}")]
    public static partial void StorageNote(ILogger logger, string node, string text);

    [LoggerMessage(612, LogLevel.Error, "{Node}: ALARM LoopFailed ({Loop}): {Error}; restarting it in {DelayMs} ms")]
    public static partial void LoopFailed(ILogger logger, string node, string loop, string error, double delayMs);
}
