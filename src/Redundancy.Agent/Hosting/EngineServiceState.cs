using Redundancy.Agent.Engine;
using Redundancy.Core.Roles;
using Redundancy.Edges.Systemd;

namespace Redundancy.Agent.Hosting;

/// <summary>
/// The engine as systemd sees it: ready once the role is decided (anything but Starting: the links are open and the
/// engine has heard, or not heard, the peer for its start-up window), or once the start-up window is over and the node
/// still waits for its peer (solo start off): that is a decision too, and a node installed before its peer must not
/// hold <c>systemctl start</c> and the boot's multi-user.target until the peer comes. The status line names role,
/// readiness and epoch. Reads only <see cref="EngineView"/> (lock-free) on the notifier's thread; the status string
/// is made again only when the engine publishes a new announcement.
/// </summary>
internal sealed class EngineServiceState(EngineView view, TimeSpan startupWindow, TimeProvider time) : IServiceStateSource
{
    private Announcement? _seen;
    private bool _waiting;
    private string _status = "Starting";
    private long _startedAt = -1;

    /// <summary>When the engine started its threads (a timestamp; -1 before).</summary>
    public long StartedAt => Volatile.Read(ref _startedAt);

    /// <summary>The engine started its threads (its start-up window counts from here).</summary>
    public void Started() => Volatile.Write(ref _startedAt, time.GetTimestamp());

    public ServiceState Read()
    {
        var a = view.Announcement;
        var startedAt = Volatile.Read(ref _startedAt);
        var waiting = a.Role == Role.Starting && startedAt >= 0 && time.GetElapsedTime(startedAt) > startupWindow;
        if (!ReferenceEquals(a, _seen) || waiting != _waiting)
        {
            _seen = a;
            _waiting = waiting;
            _status = waiting
                ? $"Starting, waiting for the peer (start-up window over, solo start off), epoch {a.Epoch}"
                : $"{a.Role}, {Name(a.Readiness)}, epoch {a.Epoch}";
        }

        return new ServiceState(a.Role != Role.Starting || waiting, _status, view.LastProgress);
    }

    private static string Name(Readiness readiness) => readiness switch
    {
        Readiness.Hot => "hot",
        Readiness.Warm => "warm",
        _ => "not-ready",
    };
}
