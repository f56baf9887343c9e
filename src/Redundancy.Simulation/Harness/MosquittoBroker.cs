using System.Net;
using System.Net.Sockets;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// A real mosquitto broker on a free loopback port, for the demo and the tests: started with its own config file in
/// a temp directory, killed (a broker crash), frozen (SIGSTOP: a broker that hangs) and restarted on the same port,
/// and killed by PID on dispose.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    private readonly string _directory;
    private readonly string _config;
    private ExternalProcess? _process;

    /// <summary>Starts a broker in <paramref name="directory"/>; with <paramref name="users"/> (name, password) it
    /// refuses anonymous clients; with <paramref name="tls"/> (PEM files: CA, server certificate, server key) it speaks
    /// only TLS and requires a client certificate signed by that CA.</summary>
    public MosquittoBroker(string directory, IReadOnlyDictionary<string, string>? users = null, (string Ca, string Cert, string Key)? tls = null)
    {
        _directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        Port = FreePort();
        _config = Path.Combine(directory, "mosquitto.conf");
        var lines = new List<string> { $"listener {Port} 127.0.0.1", "persistence false", "log_dest stderr", "log_type error", "log_type warning" };
        if (users is null)
        {
            lines.Add("allow_anonymous true");
        }
        else
        {
            var passwords = Path.Combine(directory, "passwords");
            File.WriteAllText(passwords, string.Empty);
            foreach (var (user, password) in users)
            {
                var (code, output) = ExternalProcess.Run("mosquitto_passwd", "-b", passwords, user, password);
                if (code != 0)
                {
                    throw new InvalidOperationException($"mosquitto_passwd failed: {output}");
                }
            }

            File.SetUnixFileMode(passwords, (UnixFileMode)0b110_100_100); // mosquitto reads it as its own user
            lines.Add("allow_anonymous false");
            lines.Add($"password_file {passwords}");
        }

        if (tls is { } t)
        {
            lines.Add($"cafile {t.Ca}");
            lines.Add($"certfile {t.Cert}");
            lines.Add($"keyfile {t.Key}");
            lines.Add("require_certificate true");
        }

        File.WriteAllLines(_config, lines);
        Start();
    }

    /// <summary>The broker's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port", as the agent's <c>mqtt.broker</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts (again) on the same port and waits until it accepts connections.</summary>
    public void Start()
    {
        _process?.Dispose();
        _process = new ExternalProcess("mosquitto", ["-c", _config]);
        if (!Poll.Until(Accepts, TimeSpan.FromSeconds(10), everyMs: 20))
        {
            throw new InvalidOperationException($"mosquitto did not listen on {Address} within 10 s: {string.Join(" | ", _process.ErrorLines)}");
        }
    }

    /// <summary>Kills the broker (SIGKILL, by PID): its clients see the connection drop; nothing is retained (no
    /// persistence), so the agents must publish their retained topics again when it is back.</summary>
    public void Kill()
    {
        _process?.Signal(Signals.Kill);
        _process?.WaitForExit(TimeSpan.FromSeconds(5));
    }

    /// <summary>Freezes the broker (SIGSTOP): connections stay open and nothing is answered.</summary>
    public void Freeze() => _process?.Signal(Signals.Stop);

    /// <summary>Thaws a frozen broker (SIGCONT).</summary>
    public void Thaw() => _process?.Signal(Signals.Continue);

    public void Dispose()
    {
        Thaw();
        _process?.Dispose();
    }

    private bool Accepts()
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Connect(new IPEndPoint(IPAddress.Loopback, Port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
