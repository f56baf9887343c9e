using Redundancy.Agent.Effects;
using Redundancy.Core.Effects;
using Redundancy.Core.Roles;
using Redundancy.Protocol.Events;

namespace Redundancy.Agent.Tests;

/// <summary>What the agent's engine decides and the order it acts in, two engines in process on one fake clock.</summary>
public sealed class EngineOrderTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    [Fact]
    public void PairStarts_HigherPriorityBecomesActive_OtherStandby_EventNumberedFromOne()
    {
        using var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));

        var events = rig.A.Events.Stream.Read(0).Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var active = Assert.Single(rig.A.RoleChanges, e => e.To == "Active");
        Assert.False(string.IsNullOrEmpty(active.Reason));
        Assert.True(rig.A.Bank.Active);
    }

    [Fact]
    public void ActiveDies_StandbyTakesOver_InTakeoverOrder_WithEachOutputsPolicy()
    {
        using var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        foreach (var node in new[] { rig.A, rig.B })
        {
            node.SetOutput("pump1", true);  // policy resume: the mirrored value
            node.SetOutput("valve1", true); // policy safe: false, whatever the mirror says
        }

        rig.B.Bank.ClearCalls();
        rig.A.Running = false; // the box lost power: no frames, nothing more from it
        var diedAt = rig.Time.GetTimestamp();
        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active && rig.B.Bank.Calls.Contains("Drive(1,False)"), Limit));

        // The life signal keeps toggling through the unfenced takeover's hold: the order of the rest is the point.
        var calls = rig.B.Bank.Calls.ToArray();
        Assert.Equal(["AssertActive", "ToggleLife"], calls.Take(2));
        Assert.Equal(["AssertActive", "Drive(0,True)", "Drive(1,False)"], calls.Where(c => c != "ToggleLife").Take(3));
        var took = Assert.Single(rig.B.RoleChanges, e => e.To == "Active");
        Assert.NotNull(took.DetectionMs);
        Assert.NotNull(took.TakeoverMs);
        Assert.True(took.DetectionMs >= EngineRig.Timeout.TotalMilliseconds - EngineRig.Interval.TotalMilliseconds, $"detected after {took.DetectionMs} ms");
        Assert.True(rig.Time.GetElapsedTime(diedAt) <= EngineRig.Timeout + EngineRig.Interval + EngineRig.Interval, $"took over {rig.Time.GetElapsedTime(diedAt)} after the death");
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(0, false)]
    public void OneWayPartition_TheUnfencedTakeoverHeraldsAndHolds_SoThePeerThatHearsItReleasesBeforeItDrives(int holdMs, bool releasedFirst)
    {
        using var rig = new EngineRig(o => o with { TakeoverHold = TimeSpan.FromMilliseconds(holdMs) });
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.A.Bank.ClearCalls();
        rig.B.Bank.ClearCalls();

        // A's frames no longer reach B; B's still reach A. B takes over on silence with nothing to fence it.
        rig.Serial.A.Mute = true;
        rig.Udp.A.Mute = true;
        Assert.True(rig.RunUntil(() => rig.B.Bank.Calls.Any(c => c.StartsWith("Drive(", StringComparison.Ordinal)), Limit));

        Assert.Equal(releasedFirst, rig.A.Bank.Calls.Contains("ReleaseAll"));
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Standby, Limit)); // by the epoch rule, with or without the hold
        var took = Assert.Single(rig.B.RoleChanges, e => e.To == "Active");
        Assert.True(took.TakeoverMs >= holdMs, $"takeover {took.TakeoverMs} ms, hold {holdMs} ms");
    }

    [Fact]
    public void ActiveStops_ReleasesBeforeDroppingActive_AnnouncesStopping_StandbyTakesOverWithoutTheTimeout()
    {
        using var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.A.Bank.ClearCalls();

        var reply = rig.A.Stop();
        Assert.True(reply.Accepted, reply.Text);
        Assert.Equal(Role.Stopping, rig.A.Role);
        Assert.Equal(["ReleaseAll", "DropActive"], rig.A.Bank.Calls.Where(c => c != "ToggleLife"));
        var kinds = rig.A.Events.Stream.Read(0).Events.SkipWhile(e => e.Kind != NodeEventKind.OutputsReleased).Select(e => e.Kind).ToArray();
        Assert.Equal(NodeEventKind.OutputsReleased, kinds[0]);
        Assert.Contains(NodeEventKind.RoleChanged, kinds);

        // The stopped node's last announcement still goes out (its senders run until the host ends them).
        var stoppedAt = rig.Time.GetTimestamp();
        for (var i = 0; i < 2; i++)
        {
            rig.A.Engine.Links.Sender(0).SendNow(rig.Time.GetTimestamp());
            rig.A.Engine.Links.Sender(1).SendNow(rig.Time.GetTimestamp());
            rig.Run(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active, Limit));
        Assert.True(rig.Time.GetElapsedTime(stoppedAt) < EngineRig.Timeout, $"B took {rig.Time.GetElapsedTime(stoppedAt)}: it waited for the timeout");
        Assert.Contains("Stopping", Assert.Single(rig.B.RoleChanges, e => e.To == "Active").Reason);
    }

    [Fact]
    public void ActiveStalledPastItsLease_OnResumingReleasesBeforeAnythingElse()
    {
        using var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.A.Running = false; // SIGSTOP: it keeps its pins
        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active, Limit));
        rig.Run(TimeSpan.FromMilliseconds(50));
        rig.A.Bank.ClearCalls();

        rig.A.Running = true;
        rig.Run(TimeSpan.FromMilliseconds(1));

        Assert.NotEqual(Role.Active, rig.A.Role);
        Assert.Equal("ReleaseAll", rig.A.Bank.Calls[0]);
        Assert.Contains("DropActive", rig.A.Bank.Calls);
        Assert.DoesNotContain(rig.A.Bank.Calls, c => c.StartsWith("Drive", StringComparison.Ordinal));
        Assert.Contains("lease", rig.A.RoleChanges[^1].Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TakeoverThatCannotDrive_FaultsTheNode_AndReleases()
    {
        using var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.B.Bank.FailNext = "Drive(1";
        rig.A.Running = false;

        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Faulted, Limit));
        // Active was never announced: the takeover failed before its announcement, and the node faulted.
        Assert.DoesNotContain(rig.B.RoleChanges, e => e.To == "Active");
        Assert.Equal("Faulted", rig.B.RoleChanges[^1].To);
        Assert.Contains("takeover failed", rig.B.RoleChanges[^1].Reason);
        Assert.False(rig.B.Bank.Active);
        Assert.False(rig.B.Bank.State(0).Driving);
    }

    [Fact]
    public void SlowEffectBeforeStepDownAnnounced_HoldsTheAnnouncementNotTheRelease_UntilItsCompletionComesBack()
    {
        using var rig = new EngineRig();
        var removal = new GatedSlowEffect();
        rig.A.Engine.AddSlowEffect(SlowStep.BeforeStepDownAnnounced, removal);
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.A.Bank.ClearCalls();

        rig.A.Engine.Send(new Engine.EngineCommand(Engine.EngineCommandKind.Stop, "test"));
        rig.A.Step();

        Assert.True(removal.Started.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(["ReleaseAll", "DropActive"], rig.A.Bank.Calls.Where(c => c != "ToggleLife"));
        Assert.Equal(Role.Active, rig.A.Role); // still announced: the slow effect has not completed

        removal.Release.Set();
        Assert.True(SpinWait.SpinUntil(() => { rig.A.Step(); return rig.A.Role == Role.Stopping; }, TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(rig.A.Events.ActiveAlarms, a => a.Kind == "EffectFailed");
    }

    [Fact]
    public void SlowEffectThatNeverCompletes_TheAnnouncementGoesOutAtItsBound_WithAnAlarm()
    {
        using var rig = new EngineRig();
        var stuck = new GatedSlowEffect();
        rig.A.Engine.AddSlowEffect(SlowStep.BeforeStepDownAnnounced, stuck);
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));

        rig.A.Engine.Send(new Engine.EngineCommand(Engine.EngineCommandKind.Stop, "test"));
        rig.A.Step();
        Assert.True(stuck.Started.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(Role.Active, rig.A.Role);

        rig.Time.Advance(EngineRig.Timeout + TimeSpan.FromMilliseconds(1));
        rig.A.Step();
        Assert.Equal(Role.Stopping, rig.A.Role);
        Assert.Contains(rig.A.Events.ActiveAlarms, a => a.Kind == "EffectFailed" && a.Text.Contains("no completion", StringComparison.Ordinal));
        stuck.Release.Set();
    }

    private sealed class GatedSlowEffect : ISlowEffect
    {
        public ManualResetEventSlim Started { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public string Name => "gated test effect";

        public Task RunAsync(Effect effect, CancellationToken cancellationToken)
        {
            Started.Set();
            return Task.Run(() => Release.Wait(cancellationToken), cancellationToken);
        }
    }
}
