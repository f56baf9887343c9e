using Microsoft.Extensions.Logging;

namespace Redundancy.Agent;

// Control socket events: refusals with the listener events (600s), state writes with the commands (500s).
internal static partial class Log
{
    [LoggerMessage(605, LogLevel.Warning, "{Node}: control socket refused {Op} from uid {Uid}: {Reason}")]
    public static partial void ControlRefused(ILogger logger, string node, string op, long uid, string reason);

    // With the life-cycle commands (506), at Debug: one per state write (see JournalWriter).
    [LoggerMessage(507, LogLevel.Debug, "{Node}: state {Op} from uid {Uid}: {Text}")]
    public static partial void StateWritten(ILogger logger, string node, string op, int uid, string text);

    // Remote commands over MQTT: refusals with the control socket's (600s).
    [LoggerMessage(606, LogLevel.Warning, "{Node}: remote command refused ({Refusal}): {Reason}{Suppressed}")]
    public static partial void RemoteRefused(ILogger logger, string node, string refusal, string reason, string suppressed);

    [LoggerMessage(607, LogLevel.Warning, "{Node}: reply to remote command {Id} not sent: {Reason}")]
    public static partial void RemoteReplyLost(ILogger logger, string node, string id, string reason);

    [LoggerMessage(608, LogLevel.Warning, "{Node}: {Text}")]
    public static partial void WitnessProblem(ILogger logger, string node, string text);
}
