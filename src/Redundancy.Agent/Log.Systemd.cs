using Microsoft.Extensions.Logging;

namespace Redundancy.Agent;

/// <summary>The service manager: sd_notify and its watchdog (510s), with the start-up checks of the host (520s).</summary>
internal static partial class Log
{
    [LoggerMessage(510, LogLevel.Information, "{Node}: told systemd READY=1, {SinceStartMs:F0} ms after the engine started: {Status}")]
    public static partial void NotifyReady(ILogger logger, string node, double sinceStartMs, string status);

    [LoggerMessage(511, LogLevel.Critical, "{Node}: the engine loop made no progress for {SinceProgressMs:F0} ms: WATCHDOG=1 withheld, systemd restarts the agent unless it goes on")]
    public static partial void WatchdogWithheld(ILogger logger, string node, double sinceProgressMs);

    [LoggerMessage(512, LogLevel.Warning, "{Node}: the engine loop goes on again after {WithheldMs:F0} ms without watchdog pings")]
    public static partial void WatchdogResumed(ILogger logger, string node, double withheldMs);

    [LoggerMessage(513, LogLevel.Error, "{Node}: cannot notify systemd ({Error}); further failures are only counted")]
    public static partial void NotifyFailed(ILogger logger, string node, string error);
}
