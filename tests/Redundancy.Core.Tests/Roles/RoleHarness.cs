using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>
/// Drives one <see cref="RoleStateMachine"/> on a fake clock with a scripted peer, and keeps every alarm
/// change it reports. Timing: peer timeout 100 ms, start-up window 300 ms, heartbeat interval 20 ms, drain bound 10 ms.
/// </summary>
internal sealed class RoleHarness
{
    public const int Serial = 0;
    public const int Udp = 1;
    public const uint PairId = 7;

    public static readonly TimeSpan PeerTimeout = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan StartupWindow = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan DrainBound = TimeSpan.FromMilliseconds(10);
    public static readonly int[] BothLinks = [Serial, Udp];
    public static readonly int[] NoLinks = [];

    private ulong _counter = 1;

    public RoleHarness(
        byte nodeId = 1, byte priority = 100, bool soloStart = false, bool interlockWired = false, ulong persistedEpoch = 5, TimeSpan leaseMargin = default,
        TimeSpan? witnessLease = null, bool releaseWhenIsolated = false, bool witnessTcpTarget = false)
    {
        Options = new RoleOptions(nodeId, priority, PeerTimeout, StartupWindow, soloStart, interlockWired, ["serial", "udp"])
        {
            LeaseMargin = leaseMargin,
            WitnessLease = witnessLease,
            WitnessTcpTarget = witnessTcpTarget,
            ReleaseWhenIsolated = releaseWhenIsolated,
            DrainBound = DrainBound,
            PairId = PairId,
        };
        Machine = new RoleStateMachine(Options, Time, persistedEpoch);
    }

    public FakeTimeProvider Time { get; } = new();

    public RoleOptions Options { get; }

    public RoleStateMachine Machine { get; }

    public byte PeerId { get; set; } = 2;

    public byte PeerPriority { get; set; } = 100;

    public Role PeerRole { get; set; } = Role.Starting;

    public ulong PeerEpoch { get; set; } = 5;

    /// <summary>The peer's sending instance (a restart is a new one).</summary>
    public ulong PeerInstance { get; set; } = 0xFEED;

    /// <summary>The health flags the peer announces.</summary>
    public HealthFlags PeerHealth { get; set; }

    /// <summary>The maintenance version in the peer's frames.</summary>
    public uint PeerMaintenanceVersion { get; set; }

    /// <summary>The last change the peer announces.</summary>
    public ulong PeerLastApplied { get; set; }

    /// <summary>The peer's readiness.</summary>
    public Readiness PeerReadiness { get; set; } = Readiness.Hot;

    /// <summary>The handover uid in the peer's frames.</summary>
    public int PeerHandoverUid { get; set; } = -1;

    /// <summary>The heartbeat interval the peer announces, in microseconds.</summary>
    public uint PeerIntervalMicros { get; set; } = 20_000;

    /// <summary>When true, every <see cref="Step"/> reports a heartbeat sent by this node just before it evaluates.</summary>
    public bool SendsHeartbeats { get; set; }

    /// <summary>Every alarm change dequeued so far, in order.</summary>
    public List<AlarmChange> Alarms { get; } = [];

    /// <summary>A node that started, heard an active peer (epoch <paramref name="peerEpoch"/>) and became Standby,
    /// then heard it on both links past the start-up window. The peer's last frame is at the current time.</summary>
    public static RoleHarness StandbyWithActivePeer(
        byte nodeId = 1, byte priority = 100, byte peerId = 2, byte peerPriority = 100,
        bool interlockWired = false, ulong persistedEpoch = 5, ulong peerEpoch = 5, TimeSpan? witnessLease = null, bool releaseWhenIsolated = false,
        bool witnessTcpTarget = false)
    {
        var h = new RoleHarness(nodeId, priority, soloStart: false, interlockWired, persistedEpoch, witnessLease: witnessLease, releaseWhenIsolated: releaseWhenIsolated,
            witnessTcpTarget: witnessTcpTarget)
        {
            PeerId = peerId,
            PeerPriority = peerPriority,
            PeerRole = Role.Active,
            PeerEpoch = peerEpoch,
        };
        var first = h.Step(TimeSpan.FromMilliseconds(1), BothLinks);
        Assert.Equal(DecisionKind.BecomeStandby, first.Kind);
        Assert.Equal(DecisionKind.None, h.Run(StartupWindow + (4 * Interval), BothLinks).Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.All(h.Machine.Links, l => Assert.True(l.IsUp, $"{l.Name} should be up"));
        return h;
    }

    /// <summary>A node that started alone with solo start and became Active (epoch: the next multiple of 256 above
    /// the persisted one, plus its node id); no peer heard.</summary>
    public static RoleHarness SoloActive(byte nodeId = 1, byte priority = 100, ulong persistedEpoch = 5)
    {
        var h = new RoleHarness(nodeId, priority, soloStart: true, interlockWired: false, persistedEpoch);
        var d = h.Run(StartupWindow + Interval, NoLinks);
        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
        return h;
    }

    public HeartbeatFrame NextPeerFrame() =>
        new(PairId, PeerId, PeerRole, PeerPriority, PeerReadiness, PeerHealth, PeerEpoch, PeerLastApplied, PeerIntervalMicros, PeerInstance, _counter++,
            MaintenanceVersion: PeerMaintenanceVersion, HandoverUid: PeerHandoverUid);

    /// <summary>The peer sends one frame, received now on each of <paramref name="links"/>.</summary>
    public void PeerSends(int[] links)
    {
        if (links.Length == 0)
        {
            return;
        }

        var frame = NextPeerFrame();
        foreach (var link in links)
        {
            Machine.OnFrame(link, frame, Time.GetTimestamp());
        }
    }

    /// <summary>The peer sends one frame that does not echo us (a recording, or a peer that cannot hear us).</summary>
    public void PeerSendsUnverified(int[] links)
    {
        var frame = NextPeerFrame();
        foreach (var link in links)
        {
            Machine.OnUnverifiedFrame(link, frame, Time.GetTimestamp());
        }
    }

    /// <summary>Steps by one interval at a time for <paramref name="duration"/>, feeding each step's frames through
    /// <paramref name="feed"/>, and returns the first change, or None.</summary>
    public Decision RunWith(TimeSpan duration, Action feed, InterlockInput interlock = InterlockInput.NotWired)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            Time.Advance(end - Time.GetUtcNow() < Interval ? end - Time.GetUtcNow() : Interval);
            feed();
            if (SendsHeartbeats)
            {
                Machine.OnHeartbeatSent(Time.GetTimestamp());
            }

            var decision = Evaluate(false, interlock);
            if (decision.IsChange)
            {
                return decision;
            }
        }

        return Decision.None;
    }

    public Decision Evaluate(bool inputPending = false, InterlockInput interlock = InterlockInput.NotWired)
    {
        var decision = Machine.Evaluate(inputPending, interlock);
        DrainAlarms();
        return decision;
    }

    /// <summary>Advances the clock, lets the peer send on <paramref name="peerLinks"/>, then evaluates.</summary>
    public Decision Step(TimeSpan by, int[]? peerLinks = null, bool inputPending = false, InterlockInput interlock = InterlockInput.NotWired)
    {
        Time.Advance(by);
        PeerSends(peerLinks ?? NoLinks);
        if (SendsHeartbeats)
        {
            Machine.OnHeartbeatSent(Time.GetTimestamp());
        }

        return Evaluate(inputPending, interlock);
    }

    /// <summary>
    /// Steps by one heartbeat interval at a time for <paramref name="duration"/> (the peer sending on
    /// <paramref name="peerLinks"/> each step) and returns the first change, or None. Stops at the first change.
    /// </summary>
    public Decision Run(TimeSpan duration, int[] peerLinks, bool inputPending = false, InterlockInput interlock = InterlockInput.NotWired)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            var step = end - Time.GetUtcNow() < Interval ? end - Time.GetUtcNow() : Interval;
            var decision = Step(step, peerLinks, inputPending, interlock);
            if (decision.IsChange)
            {
                return decision;
            }
        }

        return Decision.None;
    }

    public void DrainAlarms()
    {
        while (Machine.TryDequeueAlarm(out var alarm))
        {
            Alarms.Add(alarm);
        }
    }

    /// <summary>Whether the latest change of this alarm left it raised.</summary>
    public bool IsRaised(AlarmKind kind, string subject = "peer")
    {
        DrainAlarms();
        var last = Alarms.LastOrDefault(a => a.Kind == kind && a.Subject == subject);
        return last.Kind == kind && last.Subject == subject && last.Raised;
    }

    public int TimesRaised(AlarmKind kind, string subject = "peer")
    {
        DrainAlarms();
        return Alarms.Count(a => a.Kind == kind && a.Subject == subject && a.Raised);
    }
}
