using System.Diagnostics.Tracing;

namespace Redundancy.Agent.Engine;

/// <summary>
/// Measures how long the runtime stopped every managed thread (the heartbeat threads too, real-time priority or
/// not), and why: garbage collections, and the other suspensions (tiered compilation swapping code, for one).
/// A heartbeat sender that wakes late tells that something stalled it; this tells what.
/// </summary>
/// <remarks>
/// Listens to the runtime's own events (GCSuspendEEBegin .. GCRestartEEEnd, GC keyword, informational), which
/// it delivers on a thread of its own, never on the heartbeat path.
/// </remarks>
internal sealed class RuntimePauses : EventListener
{
    private const int RestartEnd = 3;
    private const int SuspendBegin = 9;
    private long _maxTicks;
    private int _maxReason = -1;
    private long _count;
    private DateTime _suspendedAt;
    private int _reason;

    /// <summary>The longest stop of all threads since start.</summary>
    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>Why the longest stop happened.</summary>
    public string MaxReason => ReasonName(Volatile.Read(ref _maxReason));

    /// <summary>How many times the runtime stopped all threads since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The runtime's reason codes (SUSPEND_REASON), as words.</summary>
    public static string ReasonName(int reason) => reason switch
    {
        -1 => "none",
        0 => "other (tiered compilation, code versioning)",
        1 => "garbage collection",
        2 => "app domain shutdown",
        3 => "code pitching",
        4 => "shutdown",
        5 => "debugger",
        6 => "garbage collection preparation",
        7 => "debugger sweep",
        8 => "profiler",
        _ => $"reason {reason}",
    };

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        switch (eventData.EventId)
        {
            case SuspendBegin:
                _suspendedAt = eventData.TimeStamp;
                _reason = eventData.Payload is { Count: > 0 } p && p[0] is uint r ? (int)r : -2;
                break;
            case RestartEnd when _suspendedAt != default:
                var ticks = (eventData.TimeStamp - _suspendedAt).Ticks;
                _suspendedAt = default;
                Interlocked.Increment(ref _count);
                if (ticks > Interlocked.Read(ref _maxTicks))
                {
                    Volatile.Write(ref _maxReason, _reason);
                    Interlocked.Exchange(ref _maxTicks, ticks);
                }

                break;
        }
    }
}
