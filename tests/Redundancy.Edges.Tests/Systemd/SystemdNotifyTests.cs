using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Redundancy.Edges.Systemd;
using Redundancy.Simulation.Harness;

namespace Redundancy.Edges.Tests.Systemd;

/// <summary>sd_notify against a real datagram socket, as systemd binds it: at a path and at an abstract name.</summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(2);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeService _service;

    public SystemdNotifyTests() => _service = new FakeService(_time);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Notify_ReadyStatusAndPeriodicWatchdogArrive(bool abstractName)
    {
        using var systemd = Listener(abstractName);
        using var loop = new SystemdNotifyLoop(Options(systemd, watchdog: TimeSpan.FromSeconds(2)), _service, _time);

        _service.Set(ready: false, "Starting, not-ready, epoch 4");
        loop.Tick();
        Assert.NotNull(systemd.WaitFor(m => m.Value("STATUS") == "Starting, not-ready, epoch 4", Arrival));
        Assert.False(loop.ReadySent);

        _service.Set(ready: true, "Standby, hot, epoch 4");
        Step(TimeSpan.FromMilliseconds(100), loop);
        var ready = systemd.WaitFor(m => m.Has("READY=1"), Arrival);
        Assert.NotNull(ready);
        Assert.Equal("Standby, hot, epoch 4", ready.Value("STATUS"));

        _service.Set(ready: true, "Active, hot, epoch 5");
        Step(TimeSpan.FromMilliseconds(100), loop);
        Assert.NotNull(systemd.WaitFor(m => m.Value("STATUS") == "Active, hot, epoch 5", Arrival));

        // Ten seconds of a running engine: a ping every second (half of WATCHDOG_USEC), READY never again.
        for (var i = 0; i < 100; i++)
        {
            Step(TimeSpan.FromMilliseconds(100), loop);
        }

        Assert.True(Poll.Until(() => systemd.With("WATCHDOG=1").Count >= 11, Arrival), $"{systemd.With("WATCHDOG=1").Count} pings");
        Assert.InRange(loop.WatchdogPings, 11, 12);
        Assert.Single(systemd.With("READY=1"));
        Assert.Equal(0, loop.SendFailures);
    }

    [Fact]
    public void EngineLoopHangs_WatchdogStopsAndResumesWithIt()
    {
        using var systemd = Listener(abstractName: true);
        var observer = new Observer();
        using var loop = new SystemdNotifyLoop(Options(systemd, watchdog: TimeSpan.FromSeconds(2)), _service, _time, observer);
        _service.Set(ready: true, "Active, hot, epoch 1");
        for (var i = 0; i < 30; i++)
        {
            Step(TimeSpan.FromMilliseconds(100), loop);
        }

        var before = loop.WatchdogPings;
        Assert.True(before >= 3);

        // The engine loop hangs: its progress stamp stops. Within half the watchdog timeout the pings stop, and none
        // goes out for the next 10 s, so systemd's 2 s watchdog fires.
        _service.Hung = true;
        for (var i = 0; i < 100; i++)
        {
            Step(TimeSpan.FromMilliseconds(100), loop);
        }

        Assert.InRange(loop.WatchdogPings - before, 0, 1);
        Assert.Equal(1, loop.WatchdogWithholds);
        Assert.Single(observer.Withheld);
        Assert.True(observer.Withheld[0] > TimeSpan.FromSeconds(1), $"withheld after {observer.Withheld[0]}");
        Poll.Hold(TimeSpan.FromMilliseconds(200)); // datagrams in flight
        var pings = systemd.With("WATCHDOG=1");
        var hungAt = pings.Count;

        // It goes on again: the next poll pings.
        _service.Hung = false;
        Step(TimeSpan.FromMilliseconds(100), loop);
        Assert.True(Poll.Until(() => systemd.With("WATCHDOG=1").Count == hungAt + 1, Arrival));
        Assert.Single(observer.Resumed);
    }

    [Fact]
    public void StartingForLong_ExtendsTheStartTimeoutOnlyWhileProgressing()
    {
        using var systemd = Listener(abstractName: false);
        using var loop = new SystemdNotifyLoop(Options(systemd, watchdog: null), _service, _time);
        _service.Set(ready: false, "Starting, not-ready, epoch 0");
        for (var i = 0; i < 30; i++)
        {
            Step(TimeSpan.FromMilliseconds(100), loop);
        }

        Assert.True(Poll.Until(() => systemd.Messages.Count(m => m.Value("EXTEND_TIMEOUT_USEC") == "5000000") == 3, Arrival));
        _service.Hung = true;
        for (var i = 0; i < 50; i++)
        {
            Step(TimeSpan.FromMilliseconds(100), loop);
        }

        Poll.Hold(TimeSpan.FromMilliseconds(200));
        Assert.InRange(systemd.Messages.Count(m => m.Value("EXTEND_TIMEOUT_USEC") is not null), 3, 4);
        Assert.Empty(systemd.With("READY=1"));
        Assert.Empty(systemd.With("WATCHDOG=1")); // no WATCHDOG_USEC, no pings
    }

    [Fact]
    public void OwnThread_PingsOnTheRealClockAndSaysStopping()
    {
        using var systemd = Listener(abstractName: true);
        var service = new FakeService(TimeProvider.System);
        service.Set(ready: true, "Standby, warm, epoch 2");
        using var loop = new SystemdNotifyLoop(Options(systemd, watchdog: TimeSpan.FromMilliseconds(200)) with { Poll = TimeSpan.FromMilliseconds(20) },
            service, TimeProvider.System);
        loop.Start();
        Assert.NotNull(systemd.WaitFor(m => m.Has("READY=1"), Arrival));
        Assert.True(Poll.Until(() => systemd.With("WATCHDOG=1").Count >= 5, TimeSpan.FromSeconds(5)), $"{systemd.With("WATCHDOG=1").Count} pings");
        loop.Stop();
        Assert.NotNull(systemd.WaitFor(m => m.Has("STOPPING=1"), Arrival));
        var after = systemd.Messages.Count;
        Poll.Hold(TimeSpan.FromMilliseconds(300));
        Assert.Equal(after, systemd.Messages.Count);
    }

    [Fact]
    public void NoListener_SendFailsReportsOnceAndNeverThrows()
    {
        var failures = new List<string>();
        using var notifier = new SystemdNotifier(_dir.File("nobody.sock")) { FirstFailure = failures.Add };
        for (var i = 0; i < 50; i++)
        {
            Assert.False(notifier.Send("WATCHDOG=1"));
        }

        Assert.Equal(50, notifier.Failed);
        Assert.Single(failures);
        Assert.Contains("nobody.sock", failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void ListenerNeverReads_SendsDropInsteadOfBlocking()
    {
        // A bound socket nobody reads: its queue fills. A blocking send would hang the loop (and with it the pings).
        var path = _dir.File("full.sock");
        using var deaf = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        deaf.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        var failures = 0;
        using var notifier = new SystemdNotifier(path) { FirstFailure = _ => failures++ };
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 5000; i++)
        {
            notifier.Send("STATUS=Active, hot, epoch 9");
        }

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"5000 sends took {sw.Elapsed}");
        Assert.True(notifier.Failed > 0, "the queue never filled");
        Assert.True(notifier.Sent > 0);
        Assert.Equal(1, failures);
    }

    [Theory]
    [InlineData("/run/systemd/notify", "2000000", null, "/run/systemd/notify", 2000.0)]
    [InlineData("@/org/freedesktop/systemd1/notify/1", "2000000", "OURS", "@/org/freedesktop/systemd1/notify/1", 2000.0)]
    [InlineData("/run/systemd/notify", "2000000", "1", "/run/systemd/notify", null)] // the watchdog is another process's
    [InlineData("/run/systemd/notify", null, null, "/run/systemd/notify", null)]
    [InlineData("/run/systemd/notify", "0", null, "/run/systemd/notify", null)]
    public void FromEnvironment_TakesWhatSystemdSet(string socket, string? usec, string? pid, string expectedSocket, double? expectedMs)
    {
        var env = new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = socket,
            ["WATCHDOG_USEC"] = usec,
            ["WATCHDOG_PID"] = pid == "OURS" ? "4242" : pid,
        };
        var options = SystemdNotifyOptions.FromEnvironment(k => env.GetValueOrDefault(k), 4242);
        Assert.NotNull(options);
        Assert.Equal(expectedSocket, options.NotifySocket);
        Assert.Equal(expectedMs, options.WatchdogTimeout?.TotalMilliseconds);
        if (expectedMs is { } ms)
        {
            Assert.Equal(ms / 2, options.WatchdogPeriod!.Value.TotalMilliseconds);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("vsock:2:1234")]
    public void FromEnvironment_NoUsableSocket_NoNotifier(string? socket) =>
        Assert.Null(SystemdNotifyOptions.FromEnvironment(k => k == "NOTIFY_SOCKET" ? socket : null, 1));

    public void Dispose() => _dir.Dispose();

    private NotifySocketListener Listener(bool abstractName) =>
        abstractName
            ? new NotifySocketListener($"redundancy-test/{Guid.NewGuid():N}", abstractName: true)
            : new NotifySocketListener(_dir.File("notify.sock"));

    private static SystemdNotifyOptions Options(NotifySocketListener systemd, TimeSpan? watchdog) => new(systemd.NotifySocket, watchdog);

    /// <summary>Moves the clock; the engine (unless hung) makes progress at every step, as its loop does every 10 ms.</summary>
    private void Step(TimeSpan by, SystemdNotifyLoop loop)
    {
        _time.Advance(by);
        loop.Tick();
    }

    private sealed class FakeService(TimeProvider time) : IServiceStateSource
    {
        private long _hungAt;
        private volatile bool _hung;

        public bool Ready { get; private set; }

        public string Status { get; private set; } = "Starting";

        public bool Hung
        {
            get => _hung;
            set
            {
                _hungAt = time.GetTimestamp();
                _hung = value;
            }
        }

        public void Set(bool ready, string status) => (Ready, Status) = (ready, status);

        public ServiceState Read() => new(Ready, Status, Hung ? _hungAt : time.GetTimestamp());
    }

    private sealed class Observer : ISystemdNotifyObserver
    {
        public List<TimeSpan> Withheld { get; } = [];

        public List<TimeSpan> Resumed { get; } = [];

        public void Ready(string status)
        {
        }

        public void WatchdogWithheld(TimeSpan sinceProgress) => Withheld.Add(sinceProgress);

        public void WatchdogResumed(TimeSpan withheldFor) => Resumed.Add(withheldFor);

        public void SendFailed(string error)
        {
        }

        public void Failed(Exception error) => throw error;
    }
}
