using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Redundancy.Protocol.Control;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The control socket and the replication listener of real agents under abuse: an endless line, more clients than
/// allowed, and accept failing for want of file descriptors (a low RLIMIT_NOFILE set on the running agent).
/// </summary>
[Collection("pair")]
public sealed class ListenerExhaustionTests
{
    // No event follower: it would hold one of the 16 control connections these tests count, and a descriptor of
    // the agent whose descriptors they limit (and reconnect into that limit if its connection dropped).
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, SoloStart = true, FollowEvents = false };

    [Fact]
    public async Task HugeControlRequest_IsRefusedWithoutGrowingTheAgent()
    {
        using var pair = PairHarness.Create(Spec);
        var agent = pair.StartAgent("A");
        using (var probe = pair.Control("A"))
        {
            Assert.Equal("A", probe.Status().Node);
        }

        var before = ProcStatusKiB(agent.Pid, "VmRSS");
        File.WriteAllText($"/proc/{agent.Pid}/clear_refs", "5"); // resets VmHWM to the current RSS

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(pair.ControlSocket("A")));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 4096, leaveOpen: true);
        var answers = Task.Run(async () => (await reader.ReadLineAsync(), await reader.ReadLineAsync()));

        // 150 MiB of one JSON string value, then a newline and an ordinary request on the same connection.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"op\":\"set\",\"key\":\"big\",\"value\":\""));
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, (byte)'x');
        for (var i = 0; i < 150; i++)
        {
            await stream.WriteAsync(chunk);
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes("\"}\n{\"op\":\"status\"}\n"));
        var finished = await Task.WhenAny(answers, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(answers, finished);
        var (refusal, status) = await answers;

        var peak = ProcStatusKiB(agent.Pid, "VmHWM");
        var refused = ControlProtocol.ParseResponse<ControlResponse>(refusal!);
        Assert.False(refused.Ok, refusal);
        Assert.Contains("longer than", refused.Error!);
        Assert.True(ControlProtocol.ParseResponse<StatusResponse>(status!).Ok, status);
        Assert.True(peak - before < 64 * 1024, $"RSS was {before} KiB before the request, peaked at {peak} KiB while it arrived");
    }

    [Fact]
    public void ControlClientsOverTheLimit_AreRefusedWithAnError_AndTheRestServed()
    {
        using var pair = PairHarness.Create(Spec);
        pair.StartAgent("A");
        var held = new List<ControlClient>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                held.Add(pair.Control("A"));
            }

            Assert.All(held, c => Assert.Equal("A", c.Status().Node));
            Assert.Contains("too many connections", ReadOnce(pair.ControlSocket("A")));

            held[0].Dispose();
            held.RemoveAt(0);
            Assert.True(Eventually(() => ReadStatus(pair.ControlSocket("A")), Wait));
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void ControlSocket_AfterAcceptFailsForWantOfDescriptors_AnswersAgain()
    {
        using var pair = PairHarness.Create(Spec);
        var agent = pair.StartAgent("A");
        using (var probe = pair.Control("A"))
        {
            Assert.Equal("A", probe.Status().Node);
        }

        var clients = new List<Socket>();
        var original = NoFile(agent.Pid);
        Assert.False(agent.HasExited, string.Join('\n', agent.Lines.TakeLast(20)));
        SetNoFile(agent.Pid, OpenDescriptors(agent.Pid) + 2);
        try
        {
            // More clients than the agent has descriptors left: accept fails with EMFILE for the later ones.
            for (var i = 0; i < 8; i++)
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                s.Connect(new UnixDomainSocketEndPoint(pair.ControlSocket("A")));
                clients.Add(s);
            }

            Hold(TimeSpan.FromSeconds(1));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            Assert.False(agent.HasExited, string.Join('\n', agent.Lines.TakeLast(30)));
            SetNoFile(agent.Pid, original);
        }

        Assert.True(Eventually(() => ReadStatus(pair.ControlSocket("A")), Wait), string.Join('\n', agent.Lines.TakeLast(20)));
        Assert.Contains(agent.Lines, l => l.Contains("accept failed", StringComparison.Ordinal));
    }

    [Fact]
    public void ReplicationListener_AfterAcceptFailsForWantOfDescriptors_TakesTheStandbyBack()
    {
        using var pair = PairHarness.StartPair(Spec with { SoloStart = false });
        using var a = pair.Control("A");
        Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", Wait), Dump(pair));
        var bind = IPEndPoint.Parse(pair.ConfigValue("A", "replication", "bind"));

        pair.B.Dispose(); // the standby goes; its connection's descriptor is freed on A
        Assert.True(Eventually(() => a.Status().Peer?.Readiness != "Hot", Wait), Dump(pair));
        var clients = new List<Socket>();
        var original = NoFile(pair.A.Pid);
        // The listener holds at most 2 connections in their handshake and closes any beyond at once, which frees the
        // descriptor again: accept runs out of descriptors only when the headroom is at most 2. Counted with +2, a
        // descriptor open for a moment when counted (a read of /proc) left 3, and no accept failed (1 run in 5).
        SetNoFile(pair.A.Pid, OpenDescriptors(pair.A.Pid) + 1);
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Connect(bind);
                clients.Add(s);
            }

            Hold(TimeSpan.FromSeconds(1));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            SetNoFile(pair.A.Pid, original);
        }

        pair.StartAgent("B");
        Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", TimeSpan.FromSeconds(20)), Dump(pair));
        Assert.Contains(pair.A.Lines, l => l.Contains("accept failed", StringComparison.Ordinal));
    }

    private static bool ReadStatus(string path)
    {
        try
        {
            using var c = new ControlClient(path);
            var answer = Task.Run(() => c.Status());
            return answer.Wait(TimeSpan.FromSeconds(2)) && answer.Result.Node == "A";
        }
        catch (Exception ex) when (ex is SocketException or IOException or AggregateException)
        {
            return false;
        }
    }

    private static string ReadOnce(string path)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        s.Connect(new UnixDomainSocketEndPoint(path));
        var buffer = new byte[4096];
        var n = s.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static long ProcStatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static string NoFile(int pid)
    {
        var parts = File.ReadLines($"/proc/{pid}/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{parts[3]}:{parts[4]}";
    }

    private static void SetNoFile(int pid, string limit)
    {
        var (code, output) = ExternalProcess.Run("prlimit", "--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={limit}");
        Assert.True(code == 0, $"prlimit failed: {output}");
    }

    /// <summary>Lowers the soft limit only: raising a hard limit again needs a capability this sandbox may lack.</summary>
    private static void SetNoFile(int pid, int limit) => SetNoFile(pid, $"{limit}:{NoFile(pid).Split(':')[1]}");
}
