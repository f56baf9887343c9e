using Microsoft.Extensions.Logging;

namespace Redundancy.Agent;

/// <summary>
/// Every event the agent logs. Ids by feature: heartbeat and links 100s, outputs 300s, roles and alarms 400s,
/// life cycle 500s. Field names are stable: tools parse them from the JSON log.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Information, "{Node}: {Link} link up: peer heard on it again")]
    public static partial void LinkUp(ILogger logger, string node, string link);

    [LoggerMessage(102, LogLevel.Warning, "{Node}: {Link} link down: no authentic frame for the peer timeout")]
    public static partial void LinkDown(ILogger logger, string node, string link);

    [LoggerMessage(103, LogLevel.Warning, "{Node}: {Link} link dropped {Count} frame(s) in the last second: {Reason} (total {Total})")]
    public static partial void FramesDropped(ILogger logger, string node, string link, string reason, long count, long total);

    [LoggerMessage(104, LogLevel.Warning, "{Node}: heartbeat sender on {Link} woke up to {LateMs:F1} ms late")]
    public static partial void SenderLate(ILogger logger, string node, string link, double lateMs);

    [LoggerMessage(105, LogLevel.Information, "{Node}: {Link} link {State}: {FramesPerSecond:F1} frames/s in, {FramesIn} in, {FramesOut} out, {Dropped} dropped, {SendErrors} send errors, {ReceiveErrors} receive errors, {Reopens} reopens")]
    public static partial void LinkStatus(ILogger logger, string node, string link, string state, double framesPerSecond, long framesIn, long framesOut, long dropped, long sendErrors, long receiveErrors, long reopens);

    [LoggerMessage(107, LogLevel.Warning, "{Node}: the runtime stopped every thread for {PauseMs:F1} ms ({Reason})")]
    public static partial void RuntimePaused(ILogger logger, string node, double pauseMs, string reason);

    [LoggerMessage(108, LogLevel.Warning, "{Node}: heartbeat thread {Thread} ran for 10 ms without a pause at real-time priority (a spin inside the runtime waiting for a normal thread, or a long compilation): lowered to normal priority for 10 ms ({Lowerings} time(s) since start, longest {LongestSpinMs:F1} ms)")]
    public static partial void SpinLowered(ILogger logger, string node, string thread, long lowerings, double longestSpinMs);

    [LoggerMessage(106, LogLevel.Information, "{Node}: runtime: {AllocatedKiB} KiB allocated since start, collections gen0 {Gen0} gen1 {Gen1} gen2 {Gen2}, last pause {LastPauseMs:F1} ms")]
    public static partial void RuntimeStatus(ILogger logger, string node, long allocatedKiB, int gen0, int gen1, int gen2, double lastPauseMs);

    [LoggerMessage(301, LogLevel.Information, "{Node}: outputs released ({Reason})")]
    public static partial void OutputsReleased(ILogger logger, string node, string reason);

    [LoggerMessage(302, LogLevel.Error, "{Node}: outputs failed: {Error}")]
    public static partial void OutputsFailed(ILogger logger, string node, string error);

    [LoggerMessage(303, LogLevel.Error, "{Node}: a change was committed but acting on it failed: {Error}")]
    public static partial void CommitSubscriberFailed(ILogger logger, string node, string error);

    [LoggerMessage(304, LogLevel.Information, "{Node}: GPIO: {Gpio}, {Channels} output channel(s)")]
    public static partial void GpioOpened(ILogger logger, string node, string gpio, int channels);

    [LoggerMessage(401, LogLevel.Warning, "{Node}: role {From} -> {To} (epoch {Epoch}): {Reason}")]
    public static partial void RoleChanged(ILogger logger, string node, string from, string to, ulong epoch, string reason);

    [LoggerMessage(402, LogLevel.Warning, "{Node}: took over as active, epoch {Epoch}: {Reason}; detection {DetectionMs:F1} ms, takeover {TakeoverMs:F2} ms")]
    public static partial void TookOver(ILogger logger, string node, ulong epoch, string reason, double detectionMs, double takeoverMs);

    [LoggerMessage(403, LogLevel.Error, "{Node}: ALARM {Alarm} ({Subject}): {Text}")]
    public static partial void AlarmRaised(ILogger logger, string node, string alarm, string subject, string text);

    [LoggerMessage(404, LogLevel.Information, "{Node}: alarm cleared {Alarm} ({Subject}): {Text}")]
    public static partial void AlarmCleared(ILogger logger, string node, string alarm, string subject, string text);

    [LoggerMessage(501, LogLevel.Information, "{Node}: agent starting: pair {PairId}, node {NodeId}, priority {Priority}, epoch {Epoch}, boot {Boot}, instance {Instance}, links {Links}")]
    public static partial void Starting(ILogger logger, string node, uint pairId, byte nodeId, byte priority, ulong epoch, uint boot, string instance, string links);

    [LoggerMessage(502, LogLevel.Warning, "{Node}: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string node, string warning);

    [LoggerMessage(503, LogLevel.Critical, "{Node}: cannot serve: {Error}")]
    public static partial void Faulted(ILogger logger, string node, string error);

    [LoggerMessage(504, LogLevel.Information, "{Node}: agent stopped")]
    public static partial void Stopped(ILogger logger, string node);

    [LoggerMessage(505, LogLevel.Critical, "{Node}: unhandled exception, outputs released: {Error}")]
    public static partial void Crashed(ILogger logger, string node, string error);

    [LoggerMessage(506, LogLevel.Warning, "{Node}: command {Op} from uid {Uid}: {Text}")]
    public static partial void CommandTaken(ILogger logger, string node, string op, int uid, string text);
}
