using Redundancy.Agent.Engine;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Tests;

/// <summary>How long the engine loop sleeps: to the deadline ahead, which a deadline already past must not hide.</summary>
public sealed class EngineWaitTests
{
    [Fact]
    public void DuringTheTakeoverHold_WithThePeerSilent_TheLoopWakesForTheHoldsEnd_NotAtTheNextPoll()
    {
        // The peer's timeout is past (that is why this node takes over): before, that past deadline made the wait zero,
        // rounded up to a whole millisecond, and a hold ending 0.5 ms later ended 0.5 ms late.
        using var rig = new EngineRig(o => o with { TakeoverHold = TimeSpan.FromMilliseconds(2.5) });
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, TimeSpan.FromSeconds(2)));
        rig.Run(EngineRig.Interval * 3);

        rig.A.Running = false; // A dies: B takes over unfenced, heralds and holds
        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active, TimeSpan.FromSeconds(2)));
        Assert.DoesNotContain(rig.B.Bank.Calls, c => c.StartsWith("Drive(", StringComparison.Ordinal)); // holding
        var decidedAt = rig.Time.GetTimestamp();
        rig.Time.Advance(TimeSpan.FromMilliseconds(2));
        rig.B.Step();

        var wait = rig.B.Engine.UntilNextDeadline();
        Assert.True(rig.B.Engine.Role == Role.Active);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(0.4), TimeSpan.FromMilliseconds(0.6));
        Assert.True(rig.Time.GetElapsedTime(decidedAt) < TimeSpan.FromMilliseconds(2.5));

        // With nothing ahead but the past deadline, the loop polls once a millisecond, never faster.
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        rig.B.Step();
        Assert.Contains(rig.B.Bank.Calls, c => c.StartsWith("Drive(", StringComparison.Ordinal));
        Assert.Equal(AgentEngine.PastDeadlinePoll, rig.B.Engine.UntilNextDeadline());
    }
}
