using Microsoft.Extensions.Logging;
using Redundancy.Agent.Engine;
using Redundancy.Agent.Status;
using Redundancy.Core.Configuration;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Supervision;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Diagnostics;

/// <summary>
/// The runtime's figures and the journal's periodic lines, off the engine thread: once a second (on the pool) it
/// logs each link's new drops by reason, each new worst runtime stop, spin-guard lowering and late sender (those
/// three also as <c>Stall</c> events), and once a minute each link's health and the collector's counts. Answers
/// the <c>diagnostics</c> op.
/// </summary>
internal sealed class RuntimeDiagnostics : IDisposable
{
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();
    private readonly AgentOptions _options;
    private readonly RealtimeThreads _threads;
    private readonly HeartbeatLinks _links;
    private readonly EngineView _view;
    private readonly NodeEvents _events;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly RuntimePauses _pauses = new();
    private readonly long[] _dropsSeen;
    private readonly TimeSpan[] _lateReported;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private TimeSpan _pauseReported;
    private long _loweringsReported;
    private long _nextStatus;

    public RuntimeDiagnostics(AgentOptions options, RealtimeThreads threads, HeartbeatLinks links, EngineView view, NodeEvents events, ILogger log, TimeProvider time)
    {
        _options = options;
        _threads = threads;
        _links = links;
        _view = view;
        _events = events;
        _log = log;
        _time = time;
        _dropsSeen = new long[links.Count * Reasons.Length];
        _lateReported = new TimeSpan[links.Count];
        _nextStatus = time.GetTimestamp() + (60 * time.TimestampFrequency);
    }

    /// <summary>Starts the once-a-second report on the pool.</summary>
    public void Start() => _ = GuardedLoop.RunAsync(
        async ct =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Report();
            }
        },
        (ex, delay) => Log.LoopFailed(_log, _options.NodeName, "diagnostics", ex.ToString(), delay.TotalMilliseconds),
        TimeSpan.FromSeconds(1),
        _time,
        _stop.Token);

    /// <summary>The runtime's figures now.</summary>
    public NodeDiagnostics Snapshot()
    {
        var heap = GC.GetGCMemoryInfo();
        return new NodeDiagnostics
        {
            Node = _options.NodeName,
            HeartbeatLateMaxMs = _links.MaxLate.TotalMilliseconds,
            RuntimePauseMaxMs = _pauses.Max.TotalMilliseconds,
            RuntimePauseMaxReason = _pauses.MaxReason,
            RuntimePauses = _pauses.Count,
            GcHeapBytes = heap.HeapSizeBytes,
            GcGenerationBytes = heap.GenerationInfo.ToArray().Select(g => g.SizeAfterBytes).ToArray(),
            GcGen0BudgetBytes = GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var budget)
                ? Convert.ToInt64(budget, System.Globalization.CultureInfo.InvariantCulture) : 0,
            CollectorThreadsRealtime = _threads.CollectorThreadsRaised,
            SpinGuardLowerings = _threads.Guard?.Lowerings ?? 0,
            SpinGuardLongestSpinMs = _threads.Guard?.LongestSpin.TotalMilliseconds ?? 0,
            HeartbeatThreadsAllocatedBytes = AllocationProbe.Totals,
        };
    }

    /// <summary>One round of the periodic report (the loop calls it every second).</summary>
    public void Report()
    {
        var node = _options.NodeName;
        for (var i = 0; i < _links.Count; i++)
        {
            var counters = _links[i].Counters;
            for (var r = 1; r < Reasons.Length; r++)
            {
                var slot = (i * Reasons.Length) + r;
                var total = counters.Dropped(Reasons[r]);
                if (total != _dropsSeen[slot])
                {
                    Log.FramesDropped(_log, node, _links[i].Name, Reasons[r].ToString(), total - _dropsSeen[slot], total);
                    _dropsSeen[slot] = total;
                }
            }
        }

        var now = _time.GetTimestamp();
        if (now >= _nextStatus)
        {
            // Once a minute, each link's health for the journal.
            _nextStatus = now + (60 * _time.TimestampFrequency);
            for (var i = 0; i < _links.Count; i++)
            {
                var c = _links[i].Counters;
                var (up, fps) = (_view.LinkUp(i), _view.LinkRate(i));
                Log.LinkStatus(_log, node, _links[i].Name, up ? "up" : "down", fps, c.FramesIn, c.FramesOut,
                    c.DroppedTotal, c.SendErrors, c.ReceiveErrors, c.Reopens);
            }

            // Garbage collections stop every thread, the heartbeat threads too: keep their cost in view.
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            var lastPause = gc.PauseDurations.Length > 0 ? gc.PauseDurations[0].TotalMilliseconds : 0;
            Log.RuntimeStatus(_log, node, GC.GetTotalAllocatedBytes() / 1024, GC.CollectionCount(0), GC.CollectionCount(1),
                GC.CollectionCount(2), lastPause);
        }

        // The runtime stopping every thread (a collection, tiered compilation) stops the heartbeat threads too.
        var pause = _pauses.Max;
        if (pause > _pauseReported && pause > _options.PeerTimeout / 3)
        {
            _pauseReported = pause;
            Log.RuntimePaused(_log, node, pause.TotalMilliseconds, _pauses.MaxReason);
            _events.Stall("runtime", $"the runtime stopped every thread for {pause.TotalMilliseconds:F1} ms ({_pauses.MaxReason})");
        }

        if (_threads.Guard is { } guard && guard.Lowerings != _loweringsReported)
        {
            _loweringsReported = guard.Lowerings;
            Log.SpinLowered(_log, node, guard.LastLowered, _loweringsReported, guard.LongestSpin.TotalMilliseconds);
            _events.Stall("spin-guard", $"heartbeat thread {guard.LastLowered} spun at real-time priority: lowered for 10 ms ({_loweringsReported} time(s) since start)");
        }

        for (var i = 0; i < _links.Count; i++)
        {
            // A sender waking late eats into the peer's timeout: report each new worst that passes a third of it.
            var late = _links.Sender(i).MaxLate;
            if (late > _lateReported[i] && late > _options.PeerTimeout / 3)
            {
                _lateReported[i] = late;
                Log.SenderLate(_log, node, _links[i].Name, late.TotalMilliseconds);
                _events.Stall($"sender/{_links[i].Name}", $"heartbeat sender on {_links[i].Name} woke up to {late.TotalMilliseconds:F1} ms late");
            }
        }
    }

    public void Dispose()
    {
        // Twice: by the host service at stop, then by the container. The token source is never disposed: the
        // loop may still be reading its token.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            _pauses.Dispose();
        }
    }
}
