using System.Diagnostics;
using Redundancy.Simulation.Harness;
using Xunit.Abstractions;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>
/// The real agent under a stand-in for systemd: NOTIFY_SOCKET names a datagram socket the test reads, WATCHDOG_USEC
/// arms the watchdog. READY=1 comes once the role is decided, STATUS names it, WATCHDOG=1 comes while the engine runs
/// and stops while the process is stopped (SIGSTOP, a hung agent), STOPPING=1 on SIGTERM.
/// </summary>
[Collection("pair")]
public sealed class SystemdNotifyTests(ITestOutputHelper output)
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };
    private static readonly TimeSpan WatchdogTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public void Pair_ReadyOnceDecided_WatchdogStopsWhileTheStandbyIsStopped()
    {
        // A window both agents start within (each takes 1-2 s here), so A decides on hearing B, not waits alone.
        using var pair = PairHarness.Create(Spec with { StartupWindowMs = 3000 });
        using var systemdA = new NotifySocketListener(Path.Combine(pair.Directory, "notify-A.sock"));
        using var systemdB = new NotifySocketListener($"redundancy-test/{Guid.NewGuid():N}", abstractName: true);
        var a = pair.StartAgent("A", Systemd(systemdA));
        var b = pair.StartAgent("B", Systemd(systemdB));

        var readyA = systemdA.WaitFor(m => m.Has("READY=1"), Wait);
        var readyB = systemdB.WaitFor(m => m.Has("READY=1"), Wait);
        Assert.NotNull(readyA);
        Assert.NotNull(readyB);
        Assert.Matches("^Active, hot, epoch [0-9]+$", readyA.Value("STATUS")); // preferred (priority 100)
        Assert.Matches("^Standby, (hot|warm|not-ready), epoch [0-9]+$", readyB.Value("STATUS"));
        Assert.Equal("A", pair.WaitForActiveAndStandby(Wait));
        var toReady = new[] { (a, readyA), (b, readyB) }
            .Select(x => Stopwatch.GetElapsedTime(x.Item1.StartedAt, x.Item2.T).TotalMilliseconds).ToArray();
        output.WriteLine($"process start to READY=1: A {toReady[0]:F0} ms, B {toReady[1]:F0} ms (start-up window 3000 ms)");
        foreach (var agent in new[] { a, b })
        {
            var logged = agent.WaitForLog(e => e.Id == 510, Wait);
            Assert.NotNull(logged);
            output.WriteLine($"{agent.Node}: {logged.Message}");
        }

        // The standby's replica catches up: the status line follows (hot), READY is not repeated.
        Assert.NotNull(systemdB.WaitFor(m => m.Value("STATUS") is { } s && s.StartsWith("Standby, hot", StringComparison.Ordinal), Wait));
        Assert.True(Eventually(() => systemdA.With("WATCHDOG=1").Count >= 4 && systemdB.With("WATCHDOG=1").Count >= 4, Wait));

        // B hangs (SIGSTOP: its engine thread, like all of them, stands still). Its pings stop; A's go on.
        Assert.True(b.Signal(Signals.Stop));
        Hold(TimeSpan.FromMilliseconds(200));
        var (pingsA, pingsB) = (systemdA.With("WATCHDOG=1").Count, systemdB.With("WATCHDOG=1").Count);
        Hold(WatchdogTimeout * 3);
        Assert.Equal(pingsB, systemdB.With("WATCHDOG=1").Count);
        Assert.True(systemdA.With("WATCHDOG=1").Count >= pingsA + 4, $"A pinged {systemdA.With("WATCHDOG=1").Count - pingsA} times in 3 s");

        // Continued, its loop goes on and so do the pings (systemd would have restarted it by now).
        Assert.True(b.Signal(Signals.Continue));
        Assert.True(Eventually(() => systemdB.With("WATCHDOG=1").Count > pingsB, Wait), Dump(pair));

        Assert.True(b.Signal(Signals.Terminate));
        Assert.NotNull(systemdB.WaitFor(m => m.Has("STOPPING=1"), Wait));
        Assert.True(b.WaitForExit(Wait));
        Assert.Equal(0, b.ExitCode);
        Assert.Single(systemdA.With("READY=1"));
        Assert.Single(systemdB.With("READY=1"));

        // Restarted beside a live active (what Restart=always does after a watchdog abort): it becomes standby as soon
        // as it hears the active, without waiting out its window.
        using var systemdB2 = new NotifySocketListener(Path.Combine(pair.Directory, "notify-B2.sock"));
        var restarted = pair.StartAgent("B", Systemd(systemdB2));
        var again = systemdB2.WaitFor(m => m.Has("READY=1"), Wait);
        Assert.NotNull(again);
        Assert.StartsWith("Standby, ", again.Value("STATUS"), StringComparison.Ordinal);
        var restartToReady = Stopwatch.GetElapsedTime(restarted.StartedAt, again.T);
        output.WriteLine($"restart beside a live active, process start to READY=1: {restartToReady.TotalMilliseconds:F0} ms; "
            + restarted.WaitForLog(e => e.Id == 510, Wait)?.Message);
        Assert.True(restartToReady < TimeSpan.FromMilliseconds(3000), $"{restartToReady.TotalMilliseconds:F0} ms: waited out the window?");
    }

    [Fact]
    public void AloneWithoutSoloStart_ReadyWhenTheStartupWindowIsOver()
    {
        using var pair = PairHarness.Create(Spec);
        using var systemd = new NotifySocketListener(Path.Combine(pair.Directory, "notify.sock"));
        var a = pair.StartAgent("A", Systemd(systemd));
        var ready = systemd.WaitFor(m => m.Has("READY=1"), Wait);
        Assert.NotNull(ready);
        Assert.StartsWith("Starting, waiting for the peer", ready.Value("STATUS"), StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(a.StartedAt, ready.T) > TimeSpan.FromMilliseconds(Spec.StartupWindowMs));
        Assert.Contains(systemd.Messages, m => m.Value("EXTEND_TIMEOUT_USEC") is not null);
    }

    private static Dictionary<string, string?> Systemd(NotifySocketListener listener) => new()
    {
        ["NOTIFY_SOCKET"] = listener.NotifySocket,
        ["WATCHDOG_USEC"] = ((long)WatchdogTimeout.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["WATCHDOG_PID"] = null, // the agent is the dotnet process itself: no pid to name before it starts
    };
}
