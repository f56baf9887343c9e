using Redundancy.Agent.Effects;
using Redundancy.Core.Effects;
using Redundancy.Core.Roles;
using Redundancy.Protocol.Events;

namespace Redundancy.Agent.Tests;

/// <summary>
/// Two actives healed, two engines on one fake clock: both links cut until the standby took over (unfenced), then
/// joined again. The lower epoch releases within one heartbeat interval, both raise the dual-active alarm, and the
/// remaining active runs its after-heal effects (the system IP's gratuitous ARP) once.
/// </summary>
public sealed class HealEngineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    [Fact]
    public void TwoActivesHealed_TheLowerEpochReleasesWithinOneInterval_BothRaiseTheAlarm_TheWinnerAnnouncesAgain()
    {
        using var rig = new EngineRig(startA: false, startB: false);
        var healedA = new CountingSlowEffect();
        var healedB = new CountingSlowEffect();
        rig.A.Engine.AddSlowEffect(SlowStep.AfterHeal, healedA);
        rig.B.Engine.AddSlowEffect(SlowStep.AfterHeal, healedB);
        rig.A.Begin();
        rig.B.Begin();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.Run(EngineRig.Interval * 3);

        rig.CutAll(true);
        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active, Limit), "B should take over with both links cut");
        rig.Run(EngineRig.Interval * 5);
        Assert.Equal(Role.Active, rig.A.Role);
        var epochA = rig.A.Engine.View.Announcement.Epoch;
        var epochB = rig.B.Engine.View.Announcement.Epoch;
        Assert.True(epochB > epochA, $"B took over at {epochB}, A is at {epochA}");
        rig.A.Bank.ClearCalls();
        rig.B.Bank.ClearCalls();
        var healsBefore = healedB.Count;

        var healAt = rig.Time.GetTimestamp();
        rig.CutAll(false);
        Assert.True(rig.RunUntil(() => rig.A.Role != Role.Active, Limit), "A never stepped down");
        var resolved = rig.Time.GetElapsedTime(healAt);
        rig.Run(EngineRig.Timeout * 3);

        Assert.True(resolved <= EngineRig.Interval + TimeSpan.FromMilliseconds(1), $"resolved {resolved.TotalMilliseconds} ms after the heal");
        Assert.Equal(Role.Standby, rig.A.Role);
        Assert.Equal(Role.Active, rig.B.Role);
        Assert.Contains(rig.A.Bank.Calls, c => c == "ReleaseAll");
        Assert.DoesNotContain(rig.B.Bank.Calls, c => c == "ReleaseAll");
        Assert.Contains($"epoch {epochB}", rig.A.RoleChanges.Last().Reason, StringComparison.Ordinal);
        foreach (var node in new[] { rig.A, rig.B })
        {
            Assert.Contains(node.Events.Stream.Read(0).Events, e => e.Kind == NodeEventKind.AlarmRaised && e.Alarm == "DualActive");
        }

        Assert.True(SpinUntil(() => healedB.Count == healsBefore + 1), $"the remaining active ran its after-heal effect {healedB.Count - healsBefore} times");
        Assert.Equal(0, healedA.Count);
    }

    private static bool SpinUntil(Func<bool> done) => SpinWait.SpinUntil(done, TimeSpan.FromSeconds(5)); // the slow lane runs on the pool

    /// <summary>A slow effect that counts its runs.</summary>
    private sealed class CountingSlowEffect : ISlowEffect
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string Name => "counting";

        public Task RunAsync(Effect effect, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
