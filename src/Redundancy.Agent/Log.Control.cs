using Microsoft.Extensions.Logging;

namespace Redundancy.Agent;

// Control socket events (with the listener events, 600s).
internal static partial class Log
{
    [LoggerMessage(605, LogLevel.Warning, "{Node}: control socket refused {Op} from uid {Uid}: {Reason}")]
    public static partial void ControlRefused(ILogger logger, string node, string op, long uid, string reason);
}
