using System.Collections.Concurrent;
using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// A <c>redundancy-witness</c> process serving one pair, optionally inside a network namespace (the witness host of
/// <see cref="NetnsPair.AddWitnessHost"/>). <see cref="Kill"/> is the witness box losing power; <see cref="Start"/> brings
/// it back (a new run: each node is challenged again). Stopped by PID on dispose.
/// </summary>
public sealed class WitnessProcess : IDisposable
{
    private readonly ConcurrentQueue<(long T, string Line)> _lines = new();
    private readonly string _config;
    private readonly string? _netns;
    private readonly Action<string>? _echo;
    private ExternalProcess? _process;

    /// <summary>Writes the configuration (<paramref name="bind"/>, pair 7 with <paramref name="keyFile"/> and
    /// <paramref name="leaseMs"/>) into <paramref name="directory"/>; <see cref="Start"/> runs it.</summary>
    public WitnessProcess(string directory, string bind, string keyFile, int leaseMs, string? netns, Action<string>? echo = null)
    {
        _config = Path.Combine(directory, "witness.json");
        _netns = netns;
        _echo = echo;
        File.WriteAllText(_config, $$"""{"bind":"{{bind}}","pairs":[{"pairId":7,"pairKeyFile":"{{keyFile}}","leaseMs":{{leaseMs}}}]}""");
    }

    /// <summary>Whether the process runs now.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>Its process id (0: not started).</summary>
    public int Pid => _process?.Pid ?? 0;

    /// <summary>Its output lines so far, each with when the harness read it (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public IReadOnlyList<(long T, string Line)> Lines => _lines.ToArray();

    /// <summary>Starts it and waits until it says it serves (at most <paramref name="timeout"/>).</summary>
    public void Start(TimeSpan? timeout = null)
    {
        if (Running)
        {
            throw new InvalidOperationException("the witness is already running");
        }

        _process?.Dispose();
        var dll = AgentBinary.LocateBuilt(Path.Combine("src", "Redundancy.Witness"), "redundancy-witness.dll");
        var since = Stopwatch.GetTimestamp();
        string[] args = _netns is null ? [dll, "--config", _config] : [.. NetnsPair.Exec(_netns), "dotnet", dll, "--config", _config];
        _process = new ExternalProcess(_netns is null ? "dotnet" : "ip", args, line =>
        {
            _lines.Enqueue((Stopwatch.GetTimestamp(), line));
            _echo?.Invoke($"[witness] {line}");
        });
        if (!Poll.Until(() => _lines.Any(l => l.T >= since && l.Line.Contains("serving", StringComparison.Ordinal)) || !Running, timeout ?? TimeSpan.FromSeconds(20)) || !Running)
        {
            throw new InvalidOperationException($"the witness did not start:\n{string.Join('\n', _lines.Select(l => l.Line))}");
        }
    }

    /// <summary>kill -9, by PID (the witness box lost power), and reaps it.</summary>
    public void Kill()
    {
        if (_process is { } p)
        {
            p.Signal(Signals.Kill);
            p.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _process?.Dispose();
}
