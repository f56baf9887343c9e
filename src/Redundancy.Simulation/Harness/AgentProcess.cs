using System.Diagnostics;
using Redundancy.Protocol.Events;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// A running agent: its process, its events as it publishes them (<see cref="NodeEvent"/>s read through its control
/// socket by an <see cref="EventFollower"/>: role changes, takeovers, alarms, links, stalls), and its log lines (for
/// diagnostics, and the few log events that have no node event: replication's, storage's, the listeners').
/// </summary>
public sealed class AgentProcess : IDisposable
{
    private readonly List<AgentEvent> _events = [];
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ExternalProcess _process;
    private readonly EventFollower? _follower;

    /// <summary>Starts the agent with <paramref name="configPath"/>, optionally inside a network namespace; with
    /// <paramref name="controlSocket"/>, follows its events there; <paramref name="environment"/> is added to its
    /// environment (systemd's NOTIFY_SOCKET and WATCHDOG_USEC, for example).</summary>
    public AgentProcess(string node, string configPath, string? netns = null, Action<string>? echo = null, IReadOnlyList<string>? wrapper = null,
        string? controlSocket = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Node = node;
        StartedAt = Stopwatch.GetTimestamp();
        var agent = AgentBinary.Locate();
        var args = new List<string>();
        if (netns is not null)
        {
            args.Add("ip");
            args.AddRange(NetnsPair.Exec(netns));
        }

        args.AddRange(wrapper ?? []);
        args.Add("dotnet");
        var file = args[0];
        args.RemoveAt(0);

        args.AddRange([agent, "--config", configPath, "--log-format", "json"]);
        _process = new ExternalProcess(file, args, line =>
        {
            var e = AgentEvent.TryParse(node, line, Stopwatch.GetTimestamp());
            lock (_gate)
            {
                _lines.Add(line);
                if (e is not null)
                {
                    _events.Add(e);
                }
            }

            echo?.Invoke(e is null ? $"[{node}] {line}" : $"[{node}] {e.Message}");
            try
            {
                _signal.Release();
            }
            catch (ObjectDisposedException)
            {
                // The process's last lines can arrive after Dispose (the reader drains its pipe on the pool): an
                // exception here would end the whole test run.
            }
        }, environment);
        if (controlSocket is not null)
        {
            _follower = new EventFollower(controlSocket, () => !_process.HasExited);
        }
    }

    /// <summary>Node name.</summary>
    public string Node { get; }

    /// <summary>Process id.</summary>
    public int Pid => _process.Pid;

    /// <summary>Whether it exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>When the harness started it (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long StartedAt { get; }

    /// <summary>Whether its events are followed (<see cref="PairSpec.FollowEvents"/>).</summary>
    public bool FollowsEvents => _follower is not null;

    /// <summary>Every event received from it so far, with the time the harness received each.</summary>
    public IReadOnlyList<ReceivedEvent> Received => Follower.Events;

    /// <summary>Every event received from it so far.</summary>
    public IReadOnlyList<NodeEvent> NodeEvents => Received.Select(e => e.Event).ToArray();

    /// <summary>The events received at or after <paramref name="since"/>.</summary>
    public IReadOnlyList<NodeEvent> EventsSince(long since) => Received.Where(e => e.T >= since).Select(e => e.Event).ToArray();

    /// <summary>Events the agent dropped before the harness read them (a test can assert none was).</summary>
    public long MissedEvents => Follower.Missed;

    /// <summary>The role from the newest role change, or "Starting".</summary>
    public string Role => Follower.Events.LastOrDefault(e => e.Event.Kind == NodeEventKind.RoleChanged)?.Event.To is { Length: > 0 } r ? r : "Starting";

    /// <summary>Role changes so far (a takeover is one: the change to Active with its measured times).</summary>
    public IReadOnlyList<NodeEvent> RoleChanges => Follower.OfKind(NodeEventKind.RoleChanged);

    /// <summary>Alarms raised and cleared so far.</summary>
    public IReadOnlyList<NodeEvent> Alarms => NodeEvents.Where(e => e.Kind is NodeEventKind.AlarmRaised or NodeEventKind.AlarmCleared).ToArray();

    /// <summary>Stalls reported so far (a late heartbeat sender, the runtime stopping every thread, the spin guard).</summary>
    public IReadOnlyList<NodeEvent> Stalls => Follower.OfKind(NodeEventKind.Stall);

    /// <summary>Waits until an event matching <paramref name="match"/> (received at or after <paramref name="since"/>) comes.</summary>
    public NodeEvent? WaitForEvent(Func<NodeEvent, bool> match, TimeSpan timeout, long since = 0) =>
        Follower.WaitFor(e => match(e.Event), timeout, since)?.Event;

    /// <summary>Waits until the agent reports role <paramref name="role"/>.</summary>
    public NodeEvent? WaitForRole(string role, TimeSpan timeout, long since = 0) => WaitForEvent(e => e.IsRoleChange(role), timeout, since);

    /// <summary>Waits for a takeover: the role change to Active with <see cref="NodeEvent.DetectionMs"/> and <see cref="NodeEvent.TakeoverMs"/>.</summary>
    public NodeEvent? WaitForTakeover(TimeSpan timeout, long since = 0) => WaitForEvent(e => e.IsTakeover(), timeout, since);

    /// <summary>Waits until an alarm of kind <paramref name="alarm"/> is raised.</summary>
    public NodeEvent? WaitForAlarm(string alarm, TimeSpan timeout, long since = 0) => WaitForEvent(e => e.IsAlarmRaised(alarm), timeout, since);

    /// <summary>The follower, for diagnostics.</summary>
    public EventFollower Follower => _follower ?? throw new InvalidOperationException($"the events of {Node} are not followed (PairSpec.FollowEvents is off)");

    /// <summary>Every event parsed from its JSON log so far: only for the log events with no node event (replication
    /// 2xx, storage 61x, listeners 60x, drops 103, warnings 502 ...) and diagnostics.</summary>
    public IReadOnlyList<AgentEvent> LogEvents
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>Every output line so far (for diagnostics).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>Called just before a SIGKILL goes out (the harness tells the cabinet the box lost power at that instant).</summary>
    public Action? BeforeKill { get; set; }

    /// <summary>Sends a signal (by PID). A SIGKILL is a power loss: <see cref="BeforeKill"/> runs first.</summary>
    public bool Signal(int signal)
    {
        if (signal == Signals.Kill)
        {
            BeforeKill?.Invoke();
        }

        return _process.Signal(signal);
    }

    /// <summary>Waits for the process to exit.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Waits until a log event matching <paramref name="match"/> (logged at or after <paramref name="since"/>)
    /// appears: for the log events with no node event (see <see cref="LogEvents"/>).</summary>
    public AgentEvent? WaitForLog(Func<AgentEvent, bool> match, TimeSpan timeout, long since = 0)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var found = LogEvents.FirstOrDefault(e => e.T >= since && match(e));
            if (found is not null)
            {
                return found;
            }

            var left = timeout - sw.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            _signal.Wait(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _follower?.Dispose();
        _process.Dispose();
        _signal.Dispose();
    }
}
