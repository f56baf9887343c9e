using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>A running agent: its process and every event it logged.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly List<AgentEvent> _events = [];
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ExternalProcess _process;

    /// <summary>Starts the agent with <paramref name="configPath"/>, optionally inside a network namespace.</summary>
    public AgentProcess(string node, string configPath, string? netns = null, Action<string>? echo = null, IReadOnlyList<string>? wrapper = null)
    {
        Node = node;
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
        });
    }

    /// <summary>Node name.</summary>
    public string Node { get; }

    /// <summary>Process id.</summary>
    public int Pid => _process.Pid;

    /// <summary>Whether it exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Every event so far.</summary>
    public IReadOnlyList<AgentEvent> Events
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

    /// <summary>The role from the newest role change, or "Starting".</summary>
    public string Role => Events.LastOrDefault(e => e.Id == AgentEvent.RoleChanged)?["To"] is { Length: > 0 } r ? r : "Starting";

    /// <summary>Role changes so far.</summary>
    public IReadOnlyList<AgentEvent> RoleChanges => Events.Where(e => e.Id == AgentEvent.RoleChanged).ToArray();

    /// <summary>Sends a signal (by PID).</summary>
    public bool Signal(int signal) => _process.Signal(signal);

    /// <summary>Waits for the process to exit.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Waits until an event matching <paramref name="match"/> (logged at or after <paramref name="since"/>) appears.</summary>
    public AgentEvent? WaitFor(Func<AgentEvent, bool> match, TimeSpan timeout, long since = 0)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var found = Events.FirstOrDefault(e => e.T >= since && match(e));
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

    /// <summary>Waits until the agent reports role <paramref name="role"/>.</summary>
    public AgentEvent? WaitForRole(string role, TimeSpan timeout, long since = 0) =>
        WaitFor(e => e.Id == AgentEvent.RoleChanged && e["To"] == role, timeout, since);

    /// <inheritdoc />
    public void Dispose()
    {
        _process.Dispose();
        _signal.Dispose();
    }
}
