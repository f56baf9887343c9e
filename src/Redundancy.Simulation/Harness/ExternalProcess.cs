using System.Collections.Concurrent;
using System.Diagnostics;

namespace Redundancy.Simulation.Harness;

/// <summary>A child process whose output lines are collected; killed by PID on dispose.</summary>
public class ExternalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors = new();

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>, and with <paramref name="environment"/> added
    /// to (a null value: removed from) this process's environment.</summary>
    public ExternalProcess(string file, IEnumerable<string> arguments, Action<string>? onLine = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine?.Invoke(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _errors.Enqueue(e.Data);
                onLine?.Invoke(e.Data);
            }
        };
        _process.Start();
        Pid = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code (after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Lines written to standard error.</summary>
    public IReadOnlyCollection<string> ErrorLines => _errors.ToArray();

    /// <summary>Sends a signal by PID.</summary>
    public bool Signal(int signal) => !_process.HasExited && Signals.Send(Pid, signal);

    /// <summary>Waits for exit up to <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Kills the process (SIGKILL, by PID) and reaps it.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signals.Send(Pid, Signals.Continue); // a stopped process must be able to die
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs a command to completion; returns exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
