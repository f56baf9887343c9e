using System.Net;
using System.Net.Sockets;
using Redundancy.Core.Witness;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>The <c>redundancy-witness</c> program as a process, over real UDP: challenge, grant, denial, one holder.</summary>
public sealed class WitnessProgramTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(200);
    private readonly string _dir = Directory.CreateTempSubdirectory("redundancy-witness-").FullName;
    private readonly byte[] _key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void OverUdp_TheFirstAskingNodeHoldsTheLease_TheOtherIsDeniedUntilItRunsOut()
    {
        var port = PairHarness.FreeUdpPorts(1)[0];
        using var witness = Start(port);
        using var a = new Node(1, port, _key);
        using var b = new Node(2, port, _key);

        Assert.Equal(WitnessKind.Challenge, a.Ask()!.Value.Kind);
        Assert.Equal(WitnessKind.Granted, a.Ask()!.Value.Kind);
        Assert.True(a.Client.Holds(TimeProvider.System.GetTimestamp()));
        Assert.Equal(WitnessKind.Challenge, b.Ask()!.Value.Kind);
        var denied = b.Ask()!.Value;
        Assert.Equal(WitnessKind.Denied, denied.Kind);
        Assert.Equal(1, denied.Holder);

        // A stops renewing (dead): B gets the lease once A's has run out, not before. After a pause longer than the
        // lease, each is challenged first: its echo of the witness is too old to prove anything.
        Thread.Sleep(Lease + TimeSpan.FromMilliseconds(50));
        Assert.Equal(WitnessKind.Challenge, b.Ask()!.Value.Kind);
        Assert.Equal(WitnessKind.Granted, b.Ask()!.Value.Kind);
        Assert.Equal(WitnessKind.Challenge, a.Ask()!.Value.Kind);
        Assert.Equal(WitnessKind.Denied, a.Ask()!.Value.Kind);
        Assert.True(Eventually(() => witness.Lines.Any(l => l.Contains("lease granted to node 2", StringComparison.Ordinal)), Wait), string.Join("\n", witness.Lines));
    }

    [Fact]
    public void WithAnotherKey_NoAnswer_AndTheDropIsLogged()
    {
        var port = PairHarness.FreeUdpPorts(1)[0];
        using var witness = Start(port);
        using var stranger = new Node(1, port, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        Assert.Null(stranger.Ask());
        Assert.True(Eventually(() => witness.Lines.Any(l => l.Contains("not the pair key's", StringComparison.Ordinal)), Wait), string.Join("\n", witness.Lines));
    }

    [Theory]
    [InlineData("""{"bind":"nowhere","pairs":[]}""", "bind:")]
    [InlineData("""{"bind":"127.0.0.1:5407","pairs":[]}""", "pairs:")]
    [InlineData("""{"bind":"127.0.0.1:5407","pairs":[{"pairId":7,"pairKeyFile":"KEY","leaseMs":5}]}""", "pairs[0].leaseMs")]
    [InlineData("""{"bind":"127.0.0.1:5407","pairs":[{"pairId":7,"pairKeyFile":"/nonexistent/key"}]}""", "pair 7: pairKeyFile")]
    [InlineData("""{"bind":"127.0.0.1:5407","pair":[]}""", "not valid JSON")]
    public void BadConfig_Exit78_NamingTheField(string json, string named)
    {
        var config = Path.Combine(_dir, "bad.json");
        File.WriteAllText(config, json.Replace("KEY", KeyFile(), StringComparison.Ordinal));

        var (code, output) = ExternalProcess.Run("dotnet", Dll, "--config", config, "--check-config");

        Assert.Equal(78, code);
        Assert.Contains(named, output);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Dll => AgentBinary.LocateBuilt(Path.Combine("src", "Redundancy.Witness"), "redundancy-witness.dll");

    private string KeyFile()
    {
        var path = Path.Combine(_dir, "pair.key");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToHexString(_key));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private Witness Start(int port)
    {
        var config = Path.Combine(_dir, "witness.json");
        File.WriteAllText(config, $$"""{"bind":"127.0.0.1:{{port}}","pairs":[{"pairId":7,"pairKeyFile":"{{KeyFile()}}","leaseMs":{{(int)Lease.TotalMilliseconds}}}]}""");
        var witness = new Witness(config);
        Assert.True(Eventually(() => witness.Lines.Any(l => l.Contains("serving", StringComparison.Ordinal)), Wait), string.Join("\n", witness.Lines));
        return witness;
    }

    private sealed class Witness : IDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
        private readonly ExternalProcess _process;

        public Witness(string config) => _process = new ExternalProcess("dotnet", [Dll, "--config", config], _lines.Enqueue);

        public IReadOnlyCollection<string> Lines => _lines.Concat(_process.ErrorLines).ToArray();

        public void Dispose() => _process.Dispose(); // by PID: the process this test started
    }

    /// <summary>A node's lease client on its own UDP socket.</summary>
    private sealed class Node : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly byte[] _key;
        private readonly IPEndPoint _witness;

        public Node(byte id, int port, byte[] key)
        {
            _key = key;
            _witness = new IPEndPoint(IPAddress.Loopback, port);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.ReceiveTimeout = 1000;
            Client = new LeaseClient(7, id, TimeSpan.FromSeconds(1), TimeProvider.System);
        }

        public LeaseClient Client { get; }

        /// <summary>One request and its answer (null: none within a second).</summary>
        public WitnessMessage? Ask()
        {
            var request = new byte[WitnessMessage.Length];
            Client.NextRequest(TimeProvider.System.GetTimestamp()).Encode(_key, request);
            _socket.SendTo(request, _witness);
            var buffer = new byte[256];
            try
            {
                var n = _socket.Receive(buffer);
                Assert.Null(WitnessMessage.TryDecode(_key, buffer.AsSpan(0, n), 7, out var answer));
                Assert.True(Client.OnAnswer(answer, TimeProvider.System.GetTimestamp()));
                return answer;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
                return null;
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
