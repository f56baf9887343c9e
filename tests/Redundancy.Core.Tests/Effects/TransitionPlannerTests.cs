using Redundancy.Core.Effects;
using Redundancy.Core.Outputs;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Effects;

public sealed class TransitionPlannerTests
{
    private static readonly OutputChannel[] Outputs =
    [
        new("pump1", 5, false, false, TakeoverPolicy.Resume),
        new("valve1", 6, false, true, TakeoverPolicy.Safe),
    ];

    private static Decision Becoming(DecisionKind kind, Role from, Role to, ulong epoch = 257) => new(kind, from, to, epoch, "test", null);

    [Fact]
    public void Takeover_AssertsThenLifeThenDrivesByPolicy_ThenStartsTheTermAndAnnounces()
    {
        var planner = new TransitionPlanner(Outputs);
        var plan = planner.For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active), [true, false], stateAgreed: true).ToArray();

        Assert.Equal(
            [new Effect(EffectKind.AssertActive), new Effect(EffectKind.StartLife), Effect.Drive(0, true), Effect.Drive(1, true),
             new Effect(EffectKind.StartTerm, Epoch: 257), new Effect(EffectKind.Announce, Epoch: 257)],
            plan);
        Assert.False(planner.DroveSafeForUnagreedState);
    }

    [Fact]
    public void UnfencedTakeover_HeraldsItselfAndHolds_BeforeAnyOutputIsDriven()
    {
        var hold = TimeSpan.FromMilliseconds(3);
        var planner = new TransitionPlanner(Outputs, takeoverHold: hold);
        var plan = planner.For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active) with { Unfenced = true }, [true, false], stateAgreed: true).ToArray();

        Assert.Equal(
            [new Effect(EffectKind.AssertActive), new Effect(EffectKind.StartLife), new Effect(EffectKind.Herald, Epoch: 257), new Effect(EffectKind.Hold, Hold: hold),
             Effect.Drive(0, true), Effect.Drive(1, true), new Effect(EffectKind.StartTerm, Epoch: 257), new Effect(EffectKind.Announce, Epoch: 257)],
            plan);
    }

    [Fact]
    public void FencedTakeover_OrNoHoldConfigured_DrivesAtOnce()
    {
        var fenced = new TransitionPlanner(Outputs, takeoverHold: TimeSpan.FromMilliseconds(3))
            .For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active), [true, false], stateAgreed: true).ToArray();
        var noHold = new TransitionPlanner(Outputs)
            .For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active) with { Unfenced = true }, [true, false], stateAgreed: true).ToArray();

        Assert.DoesNotContain(fenced, e => e.Kind is EffectKind.Herald or EffectKind.Hold);
        Assert.DoesNotContain(noHold, e => e.Kind is EffectKind.Herald or EffectKind.Hold);
        Assert.Equal(EffectKind.Drive, fenced[2].Kind);
    }

    [Fact]
    public void Takeover_WithAStateNotAgreed_DrivesEveryOutputSafe_AndRaisesTheAlarm()
    {
        var planner = new TransitionPlanner(Outputs);
        var plan = planner.For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active), [true, false], stateAgreed: false).ToArray();

        Assert.Equal([Effect.Drive(0, false), Effect.Drive(1, true)], plan.Where(e => e.Kind == EffectKind.Drive));
        Assert.Contains(new Effect(EffectKind.AlarmStateNotAgreed), plan);
        Assert.True(planner.DroveSafeForUnagreedState);
    }

    [Fact]
    public void StepDown_StopsWritesReleasesDropsThenAnnounces_SlowEffectOnlyBeforeTheAnnouncement()
    {
        var planner = new TransitionPlanner(Outputs);
        planner.Register(new SlowStepRegistration(0, SlowStep.BeforeStepDownAnnounced));
        planner.Register(new SlowStepRegistration(1, SlowStep.AfterTakeover));
        var plan = planner.For(Becoming(DecisionKind.BecomeStandby, Role.Active, Role.Standby), [true, true], stateAgreed: true).ToArray();

        Assert.Equal(
            [new Effect(EffectKind.StopWrites), new Effect(EffectKind.ReleaseOutputs), new Effect(EffectKind.DropActive),
             new Effect(EffectKind.Slow, Slot: 0, Await: true), new Effect(EffectKind.Announce, Epoch: 257)],
            plan);
    }

    [Fact]
    public void TakeoverWithASlowEffect_RunsItLast_NotAwaited()
    {
        var planner = new TransitionPlanner(Outputs);
        planner.Register(new SlowStepRegistration(3, SlowStep.AfterTakeover));
        var plan = planner.For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active), [false, false], stateAgreed: true).ToArray();

        Assert.Equal(new Effect(EffectKind.Slow, Slot: 3, Await: false), plan[^1]);
        Assert.Equal(EffectKind.Announce, plan[^2].Kind);
    }

    [Theory]
    [InlineData(DecisionKind.BecomeFaulted, Role.Standby, Role.Faulted)]
    [InlineData(DecisionKind.BecomeStopping, Role.Starting, Role.Stopping)]
    public void FaultOrStopFromANonActiveRole_StillReleasesAndDrops_WritesWereNeverOpen(DecisionKind kind, Role from, Role to)
    {
        var plan = new TransitionPlanner(Outputs).For(Becoming(kind, from, to), [false, false], stateAgreed: true).ToArray();

        Assert.Equal([EffectKind.ReleaseOutputs, EffectKind.DropActive, EffectKind.Announce], plan.Select(e => e.Kind));
    }

    [Fact]
    public void StartingToStandby_OnlyAnnounces_AndNoDecisionPlansNothing()
    {
        var planner = new TransitionPlanner(Outputs);
        Assert.Equal([EffectKind.Announce], planner.For(Becoming(DecisionKind.BecomeStandby, Role.Starting, Role.Standby), [false, false], true).ToArray().Select(e => e.Kind));
        Assert.True(planner.For(Decision.None, [false, false], true).IsEmpty);
    }
}
