using System.Diagnostics;
using Redundancy.Simulation.Harness;

namespace Redundancy.Integration.Tests;

/// <summary>The built redundancyctl run as a process: its stdout a pipe, or a terminal (a pty made by util-linux
/// <c>script</c>), with the environment the test gives it.</summary>
internal static class Redundancyctl
{
    /// <summary>Runs redundancyctl with <paramref name="args"/>; <paramref name="environment"/> sets variables (null
    /// removes one); <paramref name="atTerminal"/> gives it a pty for stdout, whose output comes back in Out with
    /// CRLF line ends (stderr then goes there too).</summary>
    public static (int Code, string Out, string Error) Run(string[] args, IReadOnlyDictionary<string, string?>? environment = null, bool atTerminal = false)
    {
        var dll = AgentBinary.LocateBuilt(Path.Combine("src", "Redundancy.Cli"), "redundancyctl.dll");
        var psi = new ProcessStartInfo(atTerminal ? "script" : "dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (atTerminal)
        {
            // -q no banner, -e redundancyctl's exit code, -f flush; the command runs in $SHELL -c.
            psi.ArgumentList.Add("-qefc");
            psi.ArgumentList.Add(string.Join(' ', new[] { "dotnet", dll }.Concat(args).Select(ShellQuote)));
            psi.ArgumentList.Add("/dev/null");
            psi.Environment["SHELL"] = "/bin/sh";
        }
        else
        {
            psi.ArgumentList.Add(dll);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(name);
            }
            else
            {
                psi.Environment[name] = value;
            }
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"redundancyctl {string.Join(' ', args)} did not end in 30 s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
