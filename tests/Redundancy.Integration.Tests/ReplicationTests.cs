using System.Text.Json.Nodes;
using Redundancy.Protocol.Control;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>The change log streamed from the active to the standby: real agents, real LiteDB files, real TCP.</summary>
[Collection("pair")]
public sealed class ReplicationTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500, ReplicationMode = "sync" };

    [Fact]
    public void SetpointWrittenOnA_IsReadableOnB_AndSurvivesAsDeath()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        using var b = pair.Control("B");

        Assert.True(a.Set("setpoints/boiler", "{\"celsius\":72.5}").Ok);
        Assert.Equal(72.5, Celsius(b.Get("setpoints/boiler"))); // sync: acknowledged means on B

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        Assert.True(pair.B.WaitForRole("Active", Wait, killAt) is not null, Dump(pair));
        Assert.Equal(72.5, Celsius(b.Get("setpoints/boiler")));

        // Sync mode with no standby: the write is committed on B but reported as not replicated after the timeout.
        var alone = b.Set("setpoints/boiler", "{\"celsius\":70}");
        Assert.False(alone.Ok);
        Assert.Contains("did not acknowledge", alone.Error!);
        Assert.Equal(70, Celsius(b.Get("setpoints/boiler")));
    }

    [Fact]
    public async Task SyncMode_ActiveKilledDuringAWriteStorm_EveryAcknowledgedWriteIsOnTheNewActive()
    {
        using var pair = PairHarness.StartPair(Spec);
        using (var probe = pair.Control("A"))
        {
            Assert.True(Eventually(() => probe.Status().Replication?.StandbyConnected == true, Wait), Dump(pair));
        }

        var acked = new List<int>();
        using var stop = new CancellationTokenSource();

        // Connected here and run on threads of their own: on a 2-core machine the thread pool starts the
        // third and fourth writer late, after the kill, and a connect to a dead agent then retries for 10 s.
        var clients = Enumerable.Range(0, 4).Select(_ => pair.Control("A")).ToArray();
        var writers = clients.Select((client, w) => Task.Factory.StartNew(() =>
        {
            using (client)
            {
                for (var i = w; !stop.IsCancellationRequested; i += 4)
                {
                    WriteResponse answer;
                    try
                    {
                        answer = client.Set($"storm/{i}", $"{i}");
                    }
                    catch (IOException)
                    {
                        return; // the active died under us
                    }

                    if (answer.Ok)
                    {
                        lock (acked)
                        {
                            acked.Add(i);
                        }
                    }
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        Assert.True(Eventually(() => { lock (acked) { return acked.Count > 300; } }, TimeSpan.FromSeconds(30)), "the storm did not get going");
        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        stop.Cancel();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(pair.B.WaitForRole("Active", Wait, killAt) is not null, Dump(pair));

        using var b = pair.Control("B");
        var onB = b.List().Items!.Select(i => i.Key).ToHashSet();
        int[] snapshot;
        lock (acked)
        {
            snapshot = acked.ToArray();
        }

        var lost = snapshot.Where(i => !onB.Contains($"storm/{i}")).ToArray();
        Assert.True(lost.Length == 0, $"{lost.Length} of {snapshot.Length} acknowledged writes are missing on B, e.g. {string.Join(", ", lost.Take(5))}");
    }

    [Fact]
    public void StandbyRestartedDuringWrites_CatchesUpFromItsPosition()
    {
        using var pair = PairHarness.StartPair(Spec with { ReplicationMode = "semi-sync" });
        using var a = pair.Control("A");
        for (var i = 0; i < 50; i++)
        {
            Assert.True(a.Set($"before/{i}", $"{i}").Ok);
        }

        pair.B.Signal(Signals.Kill);
        for (var i = 0; i < 300; i++)
        {
            Assert.True(a.Set($"while-away/{i % 60}", $"{i}").Ok);
        }

        var restartAt = pair.Cabinet.Mark("B restarts");
        pair.StartAgent("B");
        Assert.True(pair.B.WaitForRole("Standby", Wait, restartAt) is not null, Dump(pair));
        using var b = pair.Control("B");
        var target = a.Status().LastSequence;
        Assert.True(Eventually(() => b.Status().LastSequence == target, Wait), Dump(pair));
        Assert.Equal(a.State(), b.State());

        // The log line comes through A's console logger, which may lag the catch-up it reports under load.
        Assert.True(Eventually(() => pair.A.LogEvents.Any(e => e.Id == 201 && e.T > restartAt && e["Plan"] == "Stream"), Wait),
            "A's log has no resume by stream after the restart: " + string.Join(" | ", pair.A.LogEvents.Where(e => e.Id == 201).Select(e => e.Message)));
    }

    [Fact]
    public void StandbyAwayPastRetention_GetsASnapshot()
    {
        using var pair = PairHarness.StartPair(Spec with { ReplicationMode = "semi-sync", RetentionEntries = 100 });
        using var a = pair.Control("A");
        Assert.True(a.Set("early", "1").Ok);
        pair.B.Signal(Signals.Kill);
        for (var i = 0; i < 400; i++)
        {
            Assert.True(a.Set($"k/{i % 150}", $"{{\"i\":{i}}}").Ok);
        }

        Hold(TimeSpan.FromMilliseconds(1500)); // the active compacts its log beyond the retention
        var restartAt = pair.Cabinet.Mark("B restarts");
        pair.StartAgent("B");
        var installed = pair.B.WaitForLog(e => e.Id == 207, Wait, restartAt);
        Assert.True(installed is not null, Dump(pair));
        using var b = pair.Control("B");
        var target = a.Status().LastSequence;
        Assert.True(Eventually(() => b.Status().LastSequence == target, Wait), Dump(pair));
        Assert.Equal(a.State(), b.State());
    }

    [Fact]
    public void TakeoverWithResume_DrivesTheMirroredValue_AndSafeChannelsGoSafe()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        Assert.True(a.Set("outputs/pump1", "true").Ok);  // takeover policy resume
        Assert.True(a.Set("outputs/valve1", "true").Ok); // takeover policy safe (safe value false)

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        Assert.True(Eventually(() => pair.DrivesAll("B"), Wait), Dump(pair));

        var drives = pair.Cabinet.Events.Where(e => e.T > killAt && e.Node == "B" && e.Kind == "drive-on").ToDictionary(e => e.Subject, e => e.Value);
        Assert.Equal(1, drives["pump1"]);
        Assert.Equal(0, drives["valve1"]);
    }

    [Fact]
    public async Task ForeignClientWithAnotherKey_IsRefusedAndCounted_TheRealStandbyKeepsReplicating()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        var bind = pair.ConfigValue("A", "replication", "bind");
        var endpoint = System.Net.IPEndPoint.Parse(bind);

        using (var socket = new System.Net.Sockets.Socket(endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            // An intruder without the key: a well-formed hello, then a response it cannot compute.
            await socket.ConnectAsync(endpoint);
            await using var stream = new System.Net.Sockets.NetworkStream(socket);
            var hello = new byte[Redundancy.Core.Replication.ReplicationHandshake.HelloLength];
            Redundancy.Core.Replication.ReplicationHandshake.EncodeHello(
                new Redundancy.Core.Replication.HandshakeHello(7, 2, System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), hello);
            await stream.WriteAsync(hello);
            var challenge = new byte[Redundancy.Core.Replication.ReplicationHandshake.ChallengeLength];
            await stream.ReadExactlyAsync(challenge);
            await stream.WriteAsync(System.Security.Cryptography.RandomNumberGenerator.GetBytes(Redundancy.Core.Replication.ReplicationHandshake.ResponseLength));
            Assert.Equal(0, await stream.ReadAsync(new byte[1])); // refused: the active hangs up
        }

        Assert.True(Eventually(() => a.Status().Replication!.Refused >= 1, Wait), Dump(pair));
        Assert.True(a.Set("after-intruder", "1").Ok); // sync: the real standby still acknowledges
        using var b = pair.Control("B");
        Assert.True(b.Get("after-intruder").Ok);
    }

    [Fact]
    public async Task StandbyThatSendsAnythingButAcks_IsCutOffAndCounted()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        pair.B.Signal(Signals.Kill); // a standby of our own takes B's place
        pair.B.WaitForExit(Wait);
        var bind = System.Net.IPEndPoint.Parse(pair.ConfigValue("A", "replication", "bind"));
        var status = a.Status();
        var refusedBefore = status.Replication!.Refused;

        var socket = new System.Net.Sockets.Socket(bind.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(bind);
        using var timeout = new CancellationTokenSource(Wait);
        await using var channel = await Redundancy.Edges.Replication.ReplicationChannel.ConnectAsync(
            new System.Net.Sockets.NetworkStream(socket, ownsSocket: true), Redundancy.Edges.Security.PairKey.Load(pair.KeyFile), 7, 2, timeout.Token);
        var store = Redundancy.Edges.Storage.ControlStateStore.Open(Path.Combine(pair.Directory, "data-B", "state.db"));
        var resume = new Redundancy.Core.Replication.ResumeMessage(store.LastEpoch, store.LastSequence, store.History.ToArray());
        store.Dispose();
        await channel.SendAsync(Redundancy.Core.Replication.ReplicationMessageType.Resume, Redundancy.Core.Replication.ReplicationMessages.ResumeLength(resume),
            d => Redundancy.Core.Replication.ReplicationMessages.WriteResume(resume, d), timeout.Token);

        // A resume where an acknowledgement belongs: the active must end the session (not go on waiting for
        // changes to send with nobody reading the standby's messages) and count the refusal.
        await channel.SendAsync(Redundancy.Core.Replication.ReplicationMessageType.Resume, Redundancy.Core.Replication.ReplicationMessages.ResumeLength(resume),
            d => Redundancy.Core.Replication.ReplicationMessages.WriteResume(resume, d), timeout.Token);
        var closed = false;
        try
        {
            while (true)
            {
                await channel.ReceiveAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or System.Net.Sockets.SocketException)
        {
            closed = true;
        }

        Assert.True(closed, "the active kept the session open");
        Assert.True(Eventually(() => a.Status().Replication!.Refused > refusedBefore, Wait), Dump(pair));
    }

    [Fact]
    public void AsyncMode_ActiveKilledDuringAWriteStorm_LossIsWithinTheReportedLag()
    {
        using var pair = PairHarness.StartPair(Spec with { ReplicationMode = "async" });
        using var a = pair.Control("A");
        using var status = pair.Control("A");
        Assert.True(Eventually(() => status.Status().Replication?.StandbyConnected == true, Wait), Dump(pair));
        var acked = new List<int>();
        var maxLag = 0UL;
        for (var i = 0; i < 3000; i++)
        {
            if (a.Set($"async/{i}", $"{i}").Ok)
            {
                acked.Add(i);
            }

            if (i % 50 == 0)
            {
                maxLag = Math.Max(maxLag, (ulong)status.Status().Replication!.LagEntries);
            }
        }

        // Nobody waits for an async standby's commits: it gathers what arrives for a few milliseconds, so writes
        // that come one at a time reach its disk several to a commit instead of one commit each.
        using (var standby = pair.Control("B"))
        {
            var s = standby.Status();
            var (commits, entries) = (s.StorageCommits, s.StorageEntries);
            Assert.True(entries >= 2000 && commits * 3 <= entries, $"the standby committed {entries} entries in {commits} commits");
        }

        // The lag right before the kill bounds what may be lost, plus the writes acknowledged since that reading.
        var lagBefore = (ulong)status.Status().Replication!.LagEntries;
        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        Assert.True(pair.B.WaitForRole("Active", Wait, killAt) is not null, Dump(pair));

        using var b = pair.Control("B");
        var onB = b.List().Items!.Select(i => i.Key).ToHashSet();
        var lost = acked.Count(i => !onB.Contains($"async/{i}"));
        Assert.True((ulong)lost <= lagBefore, $"lost {lost} acknowledged writes, but the reported lag was {lagBefore} (max seen {maxLag})");
    }

    [Fact]
    public void StandbyReadiness_IsAnnounced_HotWhenCaughtUp_NotReadyWhenItCannotReplicate()
    {
        using (var pair = PairHarness.StartPair(Spec))
        {
            using var a = pair.Control("A");
            Assert.True(a.Set("k", "1").Ok);
            Assert.True(Eventually(() => a.Status().Peer?.Readiness == "Hot", Wait), Dump(pair));
        }

        using (var broken = PairHarness.Create(Spec))
        {
            // B dials a replication port where nothing listens: it can never hold a usable replica.
            var path = broken.ConfigPath("B");
            var config = JsonNode.Parse(File.ReadAllText(path))!;
            config["replication"]!["peer"] = "127.0.0.1:9";
            File.WriteAllText(path, config.ToJsonString());
            broken.StartAgent("A");
            broken.StartAgent("B");
            broken.WaitForActiveAndStandby(Wait);
            using var a = broken.Control("A");
            Assert.True(Eventually(() => a.Status().Peer?.Readiness == "NotReady", Wait), Dump(broken));
            Hold(TimeSpan.FromMilliseconds(300));
            Assert.Equal("NotReady", a.Status().Peer?.Readiness);
        }
    }

    private static double Celsius(GetResponse row) =>
        row.Ok ? row.Value!.Value.GetProperty("celsius").GetDouble() : throw new InvalidOperationException(row.Error);
}
