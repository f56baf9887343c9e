using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>
/// The engine thread runs at real-time priority, and a collection its allocation triggers would run on it. In
/// steady state the role state machine must allocate nothing: frames in, evaluation, deadlines (it formatted a
/// link-up text on every evaluation, 96 bytes a loop).
/// </summary>
public sealed class RoleStateMachineAllocationTests
{
    [Fact]
    public void StandbyHearingItsActivePeer_AllocatesNothingPerLoop()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        AssertSteadyStateAllocatesNothing(h);
    }

    [Fact]
    public void ActiveHearingItsStandbyPeer_AllocatesNothingPerLoop()
    {
        var h = RoleHarness.SoloActive();
        h.PeerRole = Role.Standby;
        h.SendsHeartbeats = true;
        h.Run(RoleHarness.StartupWindow, RoleHarness.BothLinks);
        Assert.Equal(Role.Active, h.Machine.Role);
        AssertSteadyStateAllocatesNothing(h);
    }

    private static void AssertSteadyStateAllocatesNothing(RoleHarness h)
    {
        h.SendsHeartbeats = true;
        var frame = h.NextPeerFrame();
        Loop(h, frame, 50); // warm: first use of anything lazy
        var before = GC.GetAllocatedBytesForCurrentThread();
        Loop(h, frame, 1000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static void Loop(RoleHarness h, HeartbeatFrame frame, int n)
    {
        for (var i = 0; i < n; i++)
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(10));
            var now = h.Time.GetTimestamp();
            var f = frame with { Counter = frame.Counter + (ulong)i + 1000 };
            h.Machine.OnFrame(RoleHarness.Serial, f, now);
            h.Machine.OnFrame(RoleHarness.Udp, f, now);
            h.Machine.OnHeartbeatSent(now);
            var d = h.Machine.Evaluate(false, InterlockInput.NotWired);
            Assert.False(d.IsChange);
            _ = h.Machine.UntilNextDeadline();
            _ = h.Machine.LinkHealth;
            _ = h.Machine.PeerFresh;
            while (h.Machine.TryDequeueAlarm(out _))
            {
            }
        }
    }
}
