using System.Device.Gpio;
using Redundancy.Core.Configuration;
using Redundancy.Core.Roles;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Outputs.Simulated;
using Redundancy.Simulation.Cabinet;

namespace Redundancy.Edges.Tests.Outputs;

/// <summary>The GPIO output bank through the simulated driver into a real (in-process) simulated cabinet.</summary>
public sealed class CabinetTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _dir = new();
    private readonly SimulatedCabinet _cabinet;
    private readonly List<IDisposable> _owned = [];

    public CabinetTests()
    {
        _cabinet = new SimulatedCabinet(_dir.File("cabinet.sock"));
    }

    [Fact]
    public void DriveAndRelease_AppearOnTheTimeline()
    {
        var a = Bank("A");
        a.Drive(0, true);
        a.Drive(1, false);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1") && _cabinet.IsDriving("A", "valve1"), Wait));
        Assert.Equal((true, true), a.State(0));

        a.ReleaseAll();
        Assert.True(CollectingSink.Eventually(() => !_cabinet.IsDriving("A", "pump1") && !_cabinet.IsDriving("A", "valve1"), Wait));
        var drives = _cabinet.Timeline().Drives;
        Assert.Equal(2, drives.Count);
        Assert.All(drives, d => Assert.NotNull(d.End));
    }

    [Fact]
    public void ActiveLowChannel_DrivesTheInvertedLevel()
    {
        var a = Bank("A", activeLowValve: true);
        a.Drive(1, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "valve1"), Wait));
        var on = _cabinet.Events.Single(e => e.Kind == "drive-on" && e.Subject == "valve1");
        Assert.Equal(0, on.Value);
    }

    [Fact]
    public void ProcessGone_IsALossOfPower_AndReleasesItsPins()
    {
        var (bank, driver) = BankWithDriver("A");
        bank.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));

        driver.Dispose(); // the connection closes as when the process dies
        Assert.True(CollectingSink.Eventually(() => !_cabinet.IsDriving("A", "pump1"), Wait));
        Assert.Contains(_cabinet.Events, e => e.Node == "A" && e.Kind == "power-off");
    }

    [Fact]
    public void PowerLost_EndsItsDrivesAtThatInstant_LaterMessagesAndTheClosedConnectionChangeNothing()
    {
        // Before: a kill -9 was seen only when the cabinet's reader thread noticed the closed socket; starved, it stamped
        // the power-off up to 90 ms late, and the new active's drives in between counted as both nodes driving.
        var (a, driver) = BankWithDriver("A");
        a.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));

        var lostAt = SimulatedCabinet.Now;
        _cabinet.PowerLost("A");
        var b = Bank("B");
        b.Drive(0, true);
        a.Drive(1, true); // still in A's socket when its box went dark
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("B", "pump1"), Wait));
        driver.Dispose();
        using (var pause = new ManualResetEventSlim(false))
        {
            pause.Wait(100);
        }

        Assert.False(_cabinet.IsDriving("A", "pump1"));
        Assert.False(_cabinet.IsDriving("A", "valve1"));
        var off = Assert.Single(_cabinet.Events, e => e.Node == "A" && e.Kind == "power-off");
        Assert.InRange(off.T, lostAt, SimulatedCabinet.Now);
        Assert.Equal(TimeSpan.Zero, _cabinet.SettledTimeline().Overlap());
    }

    [Fact]
    public void BothNodesDriving_IsMeasuredAsOverlap()
    {
        var a = Bank("A");
        var b = Bank("B");
        a.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));
        b.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("B", "pump1"), Wait));
        using (var pause = new ManualResetEventSlim(false))
        {
            pause.Wait(30);
        }

        a.ReleaseAll();
        b.ReleaseAll();
        Assert.True(CollectingSink.Eventually(() => !_cabinet.IsDriving("A", "pump1") && !_cabinet.IsDriving("B", "pump1"), Wait));
        Assert.True(_cabinet.Timeline().Overlap() >= TimeSpan.FromMilliseconds(25), $"overlap {_cabinet.Timeline().Overlap()}");
    }

    [Fact]
    public void SettledTimeline_WaitsForTheReleaseStillOnItsWay_AndMeasuresTheOverlapByTheNodesStamps()
    {
        var a = Bank("A");
        var b = Bank("B");
        a.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));
        b.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("B", "pump1"), Wait));

        var release = new Thread(() =>
        {
            Thread.Sleep(100);
            a.ReleaseAll();
        });
        release.Start();
        var settled = _cabinet.SettledTimeline();
        release.Join();

        var aDrive = Assert.Single(settled.Drives, d => d.Node == "A");
        Assert.NotNull(aDrive.End); // read after A's release, not before it
        Assert.InRange(settled.Overlap(), TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void SettledTimeline_WithAnOverlapThatNeverEnds_ReturnsAtItsBound_AndMeasuresIt()
    {
        var a = Bank("A");
        var b = Bank("B");
        a.Drive(0, true);
        b.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1") && _cabinet.IsDriving("B", "pump1"), Wait));

        var settled = _cabinet.SettledTimeline(TimeSpan.FromMilliseconds(200));
        Assert.True(settled.Overlap() >= TimeSpan.FromMilliseconds(150), $"overlap {settled.Overlap()}");
    }

    [Fact]
    public void HandOverInOrder_HasNoOverlapAndAMeasuredGap()
    {
        var a = Bank("A");
        var b = Bank("B");
        a.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));
        var start = SimulatedCabinet.Now;
        a.ReleaseAll();
        Assert.True(CollectingSink.Eventually(() => !_cabinet.IsDriving("A", "pump1"), Wait));
        b.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("B", "pump1"), Wait));

        var timeline = _cabinet.Timeline();
        Assert.Equal(TimeSpan.Zero, timeline.Overlap());
        Assert.True(timeline.LongestGap(start) > TimeSpan.Zero);
        Assert.NotNull(timeline.FirstFullDrive("B", ["pump1"], start));
    }

    [Fact]
    public void WatchdogRelay_CutsTheOutputsWhenTheLifeSignalStops()
    {
        var a = Bank("A", relayHoldMs: 40);
        a.ToggleLife();
        a.Drive(0, true);
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));

        // No more toggles: the relay opens after its hold time, though the pin is still an output.
        Assert.True(CollectingSink.Eventually(() => !_cabinet.IsDriving("A", "pump1"), Wait));
        Assert.True(a.State(0).Driving);
        var opened = _cabinet.Events.Single(e => e.Kind == "relay-open");
        var closed = _cabinet.Events.Single(e => e.Kind == "relay-close");
        Assert.InRange((opened.T - closed.T) * 1000.0 / System.Diagnostics.Stopwatch.Frequency, 39.0, 41.0);

        a.ToggleLife(); // a retriggerable relay closes again on the next edge
        Assert.True(CollectingSink.Eventually(() => _cabinet.IsDriving("A", "pump1"), Wait));
    }

    [Fact]
    public void IAmActiveLine_ReachesThePeersInput()
    {
        var a = Bank("A", interlock: true);
        var b = Bank("B", interlock: true);
        Assert.Equal(InterlockInput.PeerNotDriving, b.ReadInterlock());

        a.AssertActive();
        Assert.True(CollectingSink.Eventually(() => b.ReadInterlock() == InterlockInput.PeerDriving, Wait));
        Assert.Equal(InterlockInput.PeerNotDriving, a.ReadInterlock());

        a.DropActive();
        Assert.True(CollectingSink.Eventually(() => b.ReadInterlock() == InterlockInput.PeerNotDriving, Wait));
    }

    [Fact]
    public void IAmActiveThroughTheRelay_DropsWhenTheRelayOpens()
    {
        var a = Bank("A", interlock: true, relayHoldMs: 40, throughRelay: true);
        var b = Bank("B", interlock: true, relayHoldMs: 40, throughRelay: true);
        a.AssertActive();
        a.ToggleLife();
        Assert.True(CollectingSink.Eventually(() => b.ReadInterlock() == InterlockInput.PeerDriving, Wait));

        // A hangs: no more life toggles. Its line stays high but the relay opens and the peer sees it drop.
        Assert.True(CollectingSink.Eventually(() => b.ReadInterlock() == InterlockInput.PeerNotDriving, Wait));
    }

    [Fact]
    public void NoInterlockWired_ReadsNotWired()
    {
        var a = Bank("A");
        Assert.Equal(InterlockInput.NotWired, a.ReadInterlock());
    }

    [Fact]
    public void WarmupDriver_TouchesNoPinOfTheCabinet()
    {
        var options = Options("A", false, null, false, false);
        OutputWarmup.Exercise(options);
        Assert.Empty(_cabinet.Events);
    }

    public void Dispose()
    {
        foreach (var o in _owned)
        {
            o.Dispose();
        }

        _cabinet.Dispose();
        _dir.Dispose();
    }

    private GpioOutputBank Bank(string node, bool activeLowValve = false, int? relayHoldMs = null, bool interlock = false, bool throughRelay = false) =>
        BankWithDriver(node, activeLowValve, relayHoldMs, interlock, throughRelay).Bank;

    private (GpioOutputBank Bank, SimulatedGpioDriver Driver) BankWithDriver(
        string node, bool activeLowValve = false, int? relayHoldMs = null, bool interlock = false, bool throughRelay = false)
    {
        var options = Options(node, activeLowValve, relayHoldMs, interlock, throughRelay);
        var driver = new SimulatedGpioDriver(_cabinet.SocketPath, new CabinetWiring(
            node,
            options.Outputs.Select(o => new CabinetChannel(o.Name, o.Pin)).ToArray(),
            options.Watchdog?.LifePin,
            relayHoldMs ?? 0,
            options.Interlock?.IAmActivePin,
            options.Interlock?.PeerActivePin,
            throughRelay));
        var bank = new GpioOutputBank(new GpioController(driver), options);
        _owned.Add(bank);
        Assert.True(CollectingSink.Eventually(() => _cabinet.Events.Any(e => e.Node == node && e.Kind == "power-on"), Wait));
        return (bank, driver);
    }

    private AgentOptions Options(string node, bool activeLowValve, int? relayHoldMs, bool interlock, bool throughRelay)
    {
        var watchdog = relayHoldMs is { } h ? $$""","watchdog":{"lifePin":24,"holdTimeMs":{{h}}}""" : string.Empty;
        var il = interlock ? $$""","interlock":{"iAmActivePin":22,"peerActivePin":23,"peerActiveThroughRelay":{{(throughRelay ? "true" : "false")}}}""" : string.Empty;
        var json = $$"""
            {"pairId":7,"nodeId":{{(node == "A" ? 1 : 2)}},"nodeName":"{{node}}","pairKeyFile":"/k",
             "heartbeat":{"intervalMs":20,"peerTimeoutMs":100},
             "gpio":{"driver":"simulated","simulatorSocket":"{{_cabinet.SocketPath}}"},
             "udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"},
             "outputs":[{"name":"pump1","pin":17},{"name":"valve1","pin":18,"activeLow":{{(activeLowValve ? "true" : "false")}}}]
             {{watchdog}}{{il}}}
            """;
        return AgentConfig.Parse(json, out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
    }
}
