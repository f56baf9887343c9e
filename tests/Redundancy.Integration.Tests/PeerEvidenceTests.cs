using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Cabinet;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// A peer that is heard but cannot be verified is treated as absent, and nothing else on the wire can fool or stall
/// the pair: a node with our id, a peer with another key or pair id, a recording of the dead active, a boot record
/// that went backwards, a flood from a stranger. Real agents, real links.
/// </summary>
[Collection("pair")]
public sealed class PeerEvidenceTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, SoloStart = true };

    // Long enough for both processes to be up before either could start alone (they start up to a second apart here).
    private static readonly PairSpec BothListening = Spec with { StartupWindowMs = 3000 };

    [Fact]
    public void TwoNodesWithOneNodeId_BothGoFaulted_NeitherDrives_AlarmNamesTheId()
    {
        // Before: every frame was dropped as "from self" and both became Active at the same epoch, with no alarm.
        using var pair = PairHarness.Create(BothListening);
        pair.EditConfig("B", c => c["nodeId"] = 1);
        pair.StartAgent("A");
        pair.StartAgent("B");

        foreach (var node in new[] { pair.A, pair.B })
        {
            var alarm = node.WaitForAlarm("DuplicateNodeId", Wait);
            Assert.True(alarm is not null, $"{node.Node} raised no duplicate-id alarm" + Dump(pair));
            Assert.Contains("another node uses node id 1", alarm.Reason);
            Assert.True(node.WaitForRole("Faulted", Wait) is not null, $"{node.Node} should be Faulted" + Dump(pair));
        }

        Hold(TimeSpan.FromMilliseconds(BothListening.StartupWindowMs + 300));
        Assert.DoesNotContain(pair.Cabinet.Events, e => e.Kind == "pin-output");
        Assert.All(new[] { pair.A, pair.B }, n => Assert.Equal("Faulted", n.Role));
    }

    [Theory]
    [InlineData("key", "fail authentication: pair key mismatch?")]
    [InlineData("pairId", "carry pair id")]
    public void PeerWithAnotherKeyOrPairId_NeitherStartsAlone_AlarmSaysWhatArrives(string what, string expected)
    {
        // Before: both nodes, each deaf to the other, started solo after the window and drove the outputs, saying
        // "no peer heard" while 50 frames a second arrived.
        using var pair = PairHarness.Create(BothListening);
        if (what == "key")
        {
            var otherKey = Path.Combine(pair.Directory, "other.key");
            File.WriteAllText(otherKey, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            File.SetUnixFileMode(otherKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            pair.EditConfig("B", c => c["pairKeyFile"] = otherKey);
        }
        else
        {
            pair.EditConfig("B", c => c["pairId"] = 8);
        }

        pair.StartAgent("A");
        pair.StartAgent("B");

        foreach (var node in new[] { pair.A, pair.B })
        {
            var alarm = node.WaitForAlarm("MisconfiguredPeer", Wait);
            Assert.True(alarm is not null, $"{node.Node} raised no misconfigured-peer alarm" + Dump(pair));
            Assert.Contains(expected, alarm.Reason);
        }

        Hold(TimeSpan.FromMilliseconds(BothListening.StartupWindowMs + 1000));
        Assert.Equal("Starting", pair.A.Role);
        Assert.Equal("Starting", pair.B.Role);
        Assert.DoesNotContain(pair.Cabinet.Events, e => e.Kind == "pin-output");
        Assert.DoesNotContain(pair.A.NodeEvents.Concat(pair.B.NodeEvents), e => e.Kind == NodeEventKind.AlarmRaised && e.Alarm is "WaitingForPeer" or "PeerLost");
        if (what == "pairId")
        {
            Assert.Contains(pair.A.NodeEvents, e => e.Kind == NodeEventKind.AlarmRaised && e.Reason.Contains("carry pair id 8, this node's is 7", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BootRecordMovedAside_TheRestartedPeerIsHeardAtOnce()
    {
        // Before: the restarted node's boot counter was lower than its last run's, and the peer dropped every frame of
        // it as stale until the peer itself restarted (one-way deafness).
        using var pair = PairHarness.Create(Spec with { SoloStart = false });
        Directory.CreateDirectory(Path.Combine(pair.Directory, "data-B"));
        File.WriteAllText(Path.Combine(pair.Directory, "data-B", "boot-counter"), "boot=5\n"); // B has started before
        pair.StartAgent("A");
        pair.StartAgent("B");
        pair.WaitForActiveAndStandby(Wait);
        using var a = pair.Control("A");
        Assert.True(Eventually(() => a.Status().Peer?.Role == "Standby", Wait), Dump(pair));

        pair.B.Signal(9);
        Assert.True(pair.B.WaitForExit(Wait));
        File.Delete(Path.Combine(pair.Directory, "data-B", "boot-counter")); // as the error message for a damaged one advises
        Assert.True(Eventually(() => a.Status().Peer is null, Wait), "A should lose B" + Dump(pair));
        var restartAt = pair.Cabinet.Mark("B restarted with its boot record gone");
        pair.StartAgent("B");

        Assert.True(pair.B.WaitForRole("Standby", Wait, restartAt) is not null, Dump(pair));
        Assert.True(Eventually(() => a.Status().Peer?.Role == "Standby", Wait), "A never heard the restarted B" + Dump(pair));
        Assert.Equal("Active", pair.A.Role);
    }

    [Fact]
    public void StandbyKilledAndRestartedAtOnce_WithSoloStart_JoinsAsStandby()
    {
        // The active must echo the restarted standby's new instance within its start-up window, although the old
        // instance was heard moments ago; else the restarted node, never verified, would start alone beside it.
        using var pair = PairHarness.Create(BothListening);
        pair.StartAgent("A");
        pair.StartAgent("B");
        Assert.Equal("A", pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(15)));
        pair.EditConfig("B", c => c["heartbeat"]!["startupWindowMs"] = 500);

        pair.B.Signal(9);
        Assert.True(pair.B.WaitForExit(Wait));
        var restartAt = pair.Cabinet.Mark("B restarted at once");
        pair.StartAgent("B");

        var joined = pair.B.WaitForEvent(e => e.Kind == NodeEventKind.RoleChanged, Wait, restartAt);
        Assert.True(joined is not null, Dump(pair));
        Assert.True(joined.To == "Standby", $"B joined as {joined.To}: {joined.Reason}" + Dump(pair));
        Hold(TimeSpan.FromMilliseconds(500));
        Assert.Equal("Active", pair.A.Role);
        Assert.Equal("Standby", pair.B.Role);
    }

    [Fact]
    public void RecordingOfTheDeadActive_ReplayedAfterTheStandbyRestarts_DoesNotHoldOffItsSoloStart()
    {
        // A's UDP frames to B pass through a relay that records them (a capture on the wire). A dies, B restarts, and
        // the recording is played to B from A's address. Before: B took the recorded Active frames for a live peer,
        // became Standby and never took over while the recording lasted.
        using var pair = PairHarness.Create(BothListening with { Serial = false });
        var bBind = IPEndPoint.Parse(pair.ConfigValue("B", "udp", "bind"));
        using var relay = new UdpRecorder(bBind);
        pair.EditConfig("A", c => c["udp"]!["peer"] = relay.Endpoint.ToString());
        pair.StartAgent("A");
        pair.StartAgent("B");
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        Hold(TimeSpan.FromSeconds(1));
        var recording = relay.Stop();
        Assert.True(recording.Count > 20, $"recorded {recording.Count} frames");

        pair.A.Signal(9);
        pair.B.Signal(9);
        Assert.True(pair.A.WaitForExit(Wait) && pair.B.WaitForExit(Wait));
        using var replay = relay.Replay(recording, TimeSpan.FromMilliseconds(Spec.IntervalMs), loops: 20);
        var restartAt = pair.Cabinet.Mark("B restarted; the recording plays");
        pair.StartAgent("B");

        var active = pair.B.WaitForRole("Active", Wait, restartAt);
        Assert.True(active is not null, "B took the recording for a live peer" + Dump(pair));
        Assert.DoesNotContain(pair.B.Received, e => e.T > restartAt && e.Event.IsRoleChange("Standby"));
        Assert.Contains("solo start", active.Reason);
        Assert.True(replay.Sent > 0);
        using var b = pair.Control("B");
        Assert.True(Eventually(() => b.Status().Links[0].Dropped["Stale"] > 10, Wait), "the recording should reach B and be judged stale" + Dump(pair));
    }

    [Fact]
    public void FloodFromAStrangerOnTheLan_NeitherStallsNorDelaysTheTakeover()
    {
        // Before: any unread datagram held the takeover off, without a time limit (60 s of peer silence, no takeover).
        Assert.True(NetnsPair.Available(), "this test needs root and iproute2 (network namespaces)");
        using var pair = PairHarness.StartPair(Spec with { SoloStart = false, Netns = true });
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        var stranger = pair.Netns!.AddStranger();
        using var flood = Flooder.Start(stranger, new IPEndPoint(IPAddress.Parse(pair.Netns.AddressB), 5405));
        Hold(TimeSpan.FromMilliseconds(500));
        Assert.True(pair.A.Role == "Active" && pair.B.Role == "Standby", "the flood alone (serial still up) must move nothing" + Dump(pair));

        var killAt = pair.Cabinet.Mark("kill -9 A during the flood");
        pair.A.Signal(9);
        var took = pair.B.WaitForTakeover(Wait, killAt);
        var sent = flood.Sent;

        Assert.True(took is not null, "no takeover during the flood" + Dump(pair));
        Assert.True(sent > 10_000, $"only {sent} datagrams flooded");
        var detection = took.DetectionMs!.Value;
        Assert.True(detection <= Spec.PeerTimeoutMs + Spec.IntervalMs, $"detection {detection} ms > timeout + interval" + Dump(pair));
        var drivenAt = pair.Cabinet.Timeline().FirstFullDrive("B", Spec.Channels, killAt);
        Assert.True(drivenAt is not null, Dump(pair));
        var failover = Timeline.Ticks(drivenAt.Value - killAt).TotalMilliseconds;
        Assert.True(failover <= Spec.PeerTimeoutMs + (2 * Spec.IntervalMs) + 100, $"outputs driven {failover:F0} ms after the kill" + Dump(pair));
        using var b = pair.Control("B");
        var udp = b.Status().Links[1];
        Assert.True(udp.Dropped["ForeignSource"] > 1000, "the flood should reach B and be dropped by source");
        Assert.True(udp.Floods >= 1, "B's receiver should have noticed the flood and left real-time priority");
    }

    /// <summary>A UDP relay on loopback that forwards to <c>target</c> and records what passes; then plays it back.</summary>
    private sealed class UdpRecorder : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly List<byte[]> _recorded = [];
        private readonly Thread _thread;
        private readonly IPEndPoint _target;
        private volatile bool _stopped;

        public UdpRecorder(IPEndPoint target)
        {
            _target = target;
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.ReceiveTimeout = 100;
            Endpoint = (IPEndPoint)_socket.LocalEndPoint!;
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        public IPEndPoint Endpoint { get; }

        public List<byte[]> Stop()
        {
            _stopped = true;
            _thread.Join();
            lock (_recorded)
            {
                return [.. _recorded];
            }
        }

        public Player Replay(List<byte[]> frames, TimeSpan every, int loops) => new(_socket, _target, frames, every, loops);

        public void Dispose()
        {
            _stopped = true;
            _socket.Dispose();
        }

        private void Run()
        {
            var buffer = new byte[1500];
            while (!_stopped)
            {
                try
                {
                    var n = _socket.Receive(buffer);
                    lock (_recorded)
                    {
                        _recorded.Add(buffer[..n]);
                    }

                    _socket.SendTo(buffer.AsSpan(0, n), _target);
                }
                catch (SocketException)
                {
                    // timeout: check the flag
                }
            }
        }
    }

    /// <summary>Plays recorded datagrams at the pace they were sent, on a thread of its own.</summary>
    private sealed class Player : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private int _sent;

        public Player(Socket socket, IPEndPoint target, List<byte[]> frames, TimeSpan every, int loops)
        {
            _thread = new Thread(() =>
            {
                for (var loop = 0; loop < loops && !_stop.IsCancellationRequested; loop++)
                {
                    foreach (var frame in frames)
                    {
                        if (_stop.Token.WaitHandle.WaitOne(every))
                        {
                            return;
                        }

                        socket.SendTo(frame, target);
                        Interlocked.Increment(ref _sent);
                    }
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public int Sent => Volatile.Read(ref _sent);

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }

    /// <summary>Sends well-formed frames of the pair's id with a bad tag, as fast as it can, from a namespace of its own.</summary>
    private sealed class Flooder : IDisposable
    {
        private readonly Socket _socket;
        private readonly Thread _thread;
        private volatile bool _stopped;
        private long _sent;

        private Flooder(Socket socket, IPEndPoint target)
        {
            _socket = socket;
            var frame = new byte[80];
            frame[0] = 2; // version
            frame[1] = 1; // heartbeat
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(2), 7); // the pair's id: only the tag is wrong
            _thread = new Thread(() =>
            {
                while (!_stopped)
                {
                    try
                    {
                        _socket.SendTo(frame, target);
                        Interlocked.Increment(ref _sent);
                    }
                    catch (SocketException)
                    {
                        // buffer full or unreachable for a moment: go on
                    }
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public long Sent => Interlocked.Read(ref _sent);

        public static Flooder Start(string ns, IPEndPoint target) =>
            new(NetnsPair.RunIn(ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)), target);

        public void Dispose()
        {
            _stopped = true;
            _thread.Join();
            _socket.Dispose();
        }
    }
}
