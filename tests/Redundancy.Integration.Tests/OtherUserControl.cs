using System.Diagnostics;
using Redundancy.Protocol.Control;

namespace Redundancy.Integration.Tests;

/// <summary>
/// A control-socket client in another process running as another user (setpriv, then socat as the pipe), so that the
/// agent's SO_PEERCRED sees that user; requests and answers go through the protocol types. Killed on dispose.
/// </summary>
internal sealed class OtherUserControl : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;

    public OtherUserControl(string socket, uint uid, uint gid)
    {
        var info = new ProcessStartInfo("setpriv")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "socat", "-", $"UNIX-CONNECT:{socket}" })
        {
            info.ArgumentList.Add(a);
        }

        _process = Process.Start(info)!;
        _process.StandardInput.AutoFlush = true;
    }

    public T Send<T>(ControlRequest request)
        where T : ControlResponse
    {
        _process.StandardInput.Write(ControlProtocol.Format(request) + "\n");
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(AnswerTimeout) || line.Result is null)
        {
            _process.Kill();
            throw new IOException($"no answer as the other user: {_process.StandardError.ReadToEnd()}");
        }

        return ControlProtocol.ParseResponse<T>(line.Result);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}
