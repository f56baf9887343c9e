using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>The serial crossover on one machine: a socat pty pair. Killing it is a cable pull.</summary>
public sealed class SocatPair : IDisposable
{
    private readonly ManualResetEventSlim _pause = new(false);
    private ExternalProcess? _socat;

    /// <summary>Creates the pair with links <paramref name="pathA"/> and <paramref name="pathB"/>.</summary>
    public SocatPair(string pathA, string pathB)
    {
        PathA = pathA;
        PathB = pathB;
        Plug();
    }

    /// <summary>Node A's end.</summary>
    public string PathA { get; }

    /// <summary>Node B's end.</summary>
    public string PathB { get; }

    /// <summary>socat's PID, or 0 when unplugged.</summary>
    public int Pid => _socat?.Pid ?? 0;

    /// <summary>Pulls the cable: kills socat (by PID).</summary>
    public void Pull()
    {
        _socat?.Dispose();
        _socat = null;
    }

    /// <summary>Plugs the cable (again): starts socat and waits for both ends to exist.</summary>
    public void Plug()
    {
        _socat = new ExternalProcess("socat", [$"pty,raw,echo=0,link={PathA}", $"pty,raw,echo=0,link={PathB}"]);
        var sw = Stopwatch.StartNew();
        while (!(File.Exists(PathA) && File.Exists(PathB)))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(5) || _socat.HasExited)
            {
                throw new InvalidOperationException($"socat did not create {PathA} and {PathB}: {string.Join(" ", _socat.ErrorLines)}");
            }

            _pause.Wait(10);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Pull();
        _pause.Dispose();
    }
}
