using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Two machines on one fake clock, each hearing the other's heartbeats: the rules must compose.</summary>
public sealed class PairSimulationTests
{
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    [Fact]
    public void BothStartTogether_ExactlyThePreferredNodeIsActiveAndNothingFlaps()
    {
        var pair = new Pair(priorityA: 100, priorityB: 150);

        pair.Run(RoleHarness.StartupWindow + (50 * T));

        Assert.Equal(Role.Standby, pair.A.Role);
        Assert.Equal(Role.Active, pair.B.Role);
        Assert.Equal(1, pair.Changes.Count(c => c.Node == "A"));
        Assert.Equal(1, pair.Changes.Count(c => c.Node == "B"));
    }

    [Fact]
    public void ActiveDies_StandbyTakesOverWithinPeerTimeoutPlusOneInterval()
    {
        var pair = new Pair();
        pair.Run(RoleHarness.StartupWindow + (5 * T));
        Assert.Equal(Role.Active, pair.A.Role);
        Assert.Equal(257UL, pair.A.Epoch); // basis 5, node 1
        pair.ADead = true;
        var diedAt = pair.Time.GetUtcNow();

        pair.Run(T + RoleHarness.Interval);

        Assert.Equal(Role.Active, pair.B.Role);
        var takeover = pair.Changes.Single(c => c.Node == "B" && c.Decision.Kind == DecisionKind.BecomeActive);
        Assert.InRange(takeover.At - diedAt, T, T + RoleHarness.Interval);
        Assert.Equal(514UL, pair.B.Epoch); // basis 257 (A's, last heard), node 2
        Assert.Equal(514UL, takeover.Decision.Epoch);
    }

    [Fact]
    public void LinksCutThenRestored_LowerEpochStepsDownAndOneActiveRemains()
    {
        var pair = new Pair();
        pair.Run(RoleHarness.StartupWindow + (5 * T));
        pair.LinksCut = true;
        pair.Run(3 * T);
        Assert.Equal(Role.Active, pair.A.Role);
        Assert.Equal(Role.Active, pair.B.Role); // the documented split-brain risk without interlock or witness
        Assert.Equal(257UL, pair.A.Epoch);
        Assert.Equal(514UL, pair.B.Epoch);

        pair.LinksCut = false;
        pair.Run(3 * T);

        Assert.Equal(Role.Standby, pair.A.Role);
        Assert.Equal(Role.Active, pair.B.Role);
    }

    [Fact]
    public void ActiveStallsWhileLinksCut_BothTakeOverFromTheSameBasis_DifferentEpochsAndTheLowerStepsDown()
    {
        var pair = new Pair();
        pair.Run(RoleHarness.StartupWindow + (5 * T));
        Assert.Equal(Role.Active, pair.A.Role);
        Assert.Equal(257UL, pair.A.Epoch);

        // A stalls while the links are cut: B takes over from A's 257.
        pair.LinksCut = true;
        pair.ADead = true;
        pair.Run(2 * T);
        Assert.Equal(Role.Active, pair.B.Role);
        Assert.Equal(514UL, pair.B.Epoch); // basis 257, node 2

        // A comes back, steps down for its stall, hears nothing, and takes over again from the same 257.
        pair.ADead = false;
        pair.Run(3 * T);
        Assert.Equal(Role.Active, pair.A.Role);
        Assert.Equal(Role.Active, pair.B.Role);
        Assert.Equal(513UL, pair.A.Epoch); // basis 257, node 1: not B's 514
        Assert.Contains(pair.Changes, c => c.Node == "A" && c.Decision.Kind == DecisionKind.BecomeStandby);

        pair.LinksCut = false;
        pair.Run(3 * T);

        Assert.Equal(Role.Standby, pair.A.Role);
        Assert.Equal(Role.Active, pair.B.Role);
        Assert.Equal(514UL, pair.B.Epoch);
    }

    private sealed class Pair
    {
        private ulong _sequenceA = 1UL << 32;
        private ulong _sequenceB = 1UL << 32;

        public Pair(byte priorityA = 100, byte priorityB = 100)
        {
            PriorityA = priorityA;
            PriorityB = priorityB;
            A = new RoleStateMachine(Options(1, priorityA), Time, 5);
            B = new RoleStateMachine(Options(2, priorityB), Time, 5);
        }

        public FakeTimeProvider Time { get; } = new();

        public RoleStateMachine A { get; }

        public RoleStateMachine B { get; }

        public byte PriorityA { get; }

        public byte PriorityB { get; }

        public bool ADead { get; set; }

        public bool LinksCut { get; set; }

        public List<(string Node, DateTimeOffset At, Decision Decision)> Changes { get; } = [];

        public void Run(TimeSpan duration)
        {
            var end = Time.GetUtcNow() + duration;
            while (Time.GetUtcNow() < end)
            {
                Time.Advance(RoleHarness.Interval);
                if (!LinksCut)
                {
                    if (!ADead)
                    {
                        Deliver(B, Frame(A, 1, PriorityA, ref _sequenceA));
                    }

                    Deliver(A, Frame(B, 2, PriorityB, ref _sequenceB));
                }

                if (!ADead)
                {
                    Record("A", A.Evaluate(false, InterlockInput.NotWired));
                }

                Record("B", B.Evaluate(false, InterlockInput.NotWired));
            }
        }

        private static RoleOptions Options(byte id, byte priority) =>
            new(id, priority, RoleHarness.PeerTimeout, RoleHarness.StartupWindow, false, false, ["serial", "udp"]);

        private static HeartbeatFrame Frame(RoleStateMachine m, byte id, byte priority, ref ulong sequence) =>
            new(RoleHarness.PairId, id, m.Role, priority, Readiness.Hot, m.LinkHealth, m.Epoch, 0, 20_000, id, sequence++);

        private void Deliver(RoleStateMachine to, HeartbeatFrame frame)
        {
            to.OnFrame(RoleHarness.Serial, frame, Time.GetTimestamp());
            to.OnFrame(RoleHarness.Udp, frame, Time.GetTimestamp());
        }

        private void Record(string node, Decision decision)
        {
            if (decision.IsChange)
            {
                Changes.Add((node, Time.GetUtcNow(), decision));
            }
        }
    }
}
