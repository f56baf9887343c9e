using Microsoft.Extensions.Logging;

namespace Redundancy.Agent.Replication;

/// <summary>Replication events (ids 200s).</summary>
internal sealed partial class ReplicationService
{
    private static partial class Log
    {
        [LoggerMessage(201, LogLevel.Information, "{Node}: standby node {Peer} connected at change {StandbyLast}; common point {Common}, catch-up {Plan}, diverged {Diverged}")]
        public static partial void StandbyConnected(ILogger logger, string node, byte peer, ulong standbyLast, ulong common, string plan, bool diverged);

        [LoggerMessage(202, LogLevel.Warning, "{Node}: standby connection lost: {Error}")]
        public static partial void StandbyLost(ILogger logger, string node, string error);

        [LoggerMessage(203, LogLevel.Warning, "{Node}: replication refused ({Refusal}): {Error}")]
        public static partial void Refused(ILogger logger, string node, string refusal, string error);

        // 204 and 205 were the replication alarms: they are alarms of the event stream now (journal 403/404).

        [LoggerMessage(206, LogLevel.Information, "{Node}: snapshot of {Rows} keys at change {Sequence} sent to the standby")]
        public static partial void SnapshotSent(ILogger logger, string node, int rows, ulong sequence);

        [LoggerMessage(207, LogLevel.Information, "{Node}: snapshot of {Rows} keys at change {Sequence} installed")]
        public static partial void SnapshotInstalled(ILogger logger, string node, int rows, ulong sequence);

        [LoggerMessage(208, LogLevel.Warning, "{Node}: split brain resolved: {Moved} change(s) after {Common} that node {Peer} never saw moved to conflicts; resyncing")]
        public static partial void Diverged(ILogger logger, string node, int moved, ulong common, byte peer);

        [LoggerMessage(209, LogLevel.Warning, "{Node}: cannot follow the active: {Error}")]
        public static partial void ActiveLost(ILogger logger, string node, string error);
    }
}
