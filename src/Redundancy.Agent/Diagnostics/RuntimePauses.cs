using System.Diagnostics.Tracing;

namespace Redundancy.Agent.Diagnostics;

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
    private const int GcStart = 1;
    private const int HeapStats = 4;
    private const int RestartEnd = 3;
    private const int SuspendEnd = 8;
    private const int SuspendBegin = 9;
    private long _maxTicks;
    private int _maxReason = -1;
    private int _maxGeneration = -1;
    private int _generation = -1;
    private long _maxStoppingTicks;
    private long _promoted;
    private long _maxPromoted;
    private long _stoppingTicks;
    private long _count;
    private DateTime _suspendedAt;
    private int _reason;

    /// <summary>The longest stop of all threads since start.</summary>
    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>Why the longest stop happened.</summary>
    public string MaxReason
    {
        get
        {
            var code = Volatile.Read(ref _maxReason);
            if (code == -1)
            {
                return ReasonName(code);
            }

            var reason = code == 1 && Volatile.Read(ref _maxGeneration) is >= 0 and var g
                ? $"garbage collection of generation {g}"
                : ReasonName(code);
            return $"{reason}, {Interlocked.Read(ref _maxPromoted) / 1048576.0:F1} MiB kept; {TimeSpan.FromTicks(Interlocked.Read(ref _maxStoppingTicks)).TotalMilliseconds:F1} ms of it to stop the threads";
        }
    }

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
            case GcStart:
                _generation = eventData.Payload is { Count: > 1 } g && g[1] is uint depth ? (int)depth : -1;
                break;
            case SuspendBegin:
                _generation = -1;
                _stoppingTicks = 0;
                _promoted = 0;
                _suspendedAt = eventData.TimeStamp;
                _reason = eventData.Payload is { Count: > 0 } p && p[0] is uint r ? (int)r : -2;
                break;
            case HeapStats when eventData.Payload is { Count: > 5 } h:
                _promoted = (h[1] is ulong p0 ? (long)p0 : 0) + (h[3] is ulong p1 ? (long)p1 : 0) + (h[5] is ulong p2 ? (long)p2 : 0);
                break;
            case SuspendEnd when _suspendedAt != default:
                _stoppingTicks = (eventData.TimeStamp - _suspendedAt).Ticks;
                break;
            case RestartEnd when _suspendedAt != default:
                var ticks = (eventData.TimeStamp - _suspendedAt).Ticks;
                _suspendedAt = default;
                Interlocked.Increment(ref _count);
                if (ticks > Interlocked.Read(ref _maxTicks))
                {
                    Volatile.Write(ref _maxReason, _reason);
                    Volatile.Write(ref _maxGeneration, _generation);
                    Interlocked.Exchange(ref _maxStoppingTicks, _stoppingTicks);
                    Interlocked.Exchange(ref _maxPromoted, _promoted);
                    Interlocked.Exchange(ref _maxTicks, ticks);
                }

                break;
        }
    }
}
