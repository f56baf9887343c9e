using Redundancy.Core.Effects;
using Redundancy.Core.Outputs;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Effects;

/// <summary>Where the system IP's slow effects go in a plan: added after a takeover, removed on a step-down after the
/// outputs are released and before anything else of the slow lane, removed at start, announced again after a heal.</summary>
public sealed class SystemIpPlanTests
{
    private const int Witness = 0;
    private const int AddAddress = 1;
    private const int RemoveAddress = 2;

    private static readonly OutputChannel[] Outputs = [new("pump1", 5, false, false, TakeoverPolicy.Resume)];

    private static Decision Becoming(DecisionKind kind, Role from, Role to) => new(kind, from, to, 300, "test", null);

    // The witness registers first, as a plug-in registered before the system IP would: the address must still go first.
    private static TransitionPlanner Planner()
    {
        var planner = new TransitionPlanner(Outputs);
        planner.Register(new SlowStepRegistration(Witness, SlowStep.BeforeStepDownAnnounced));
        planner.Register(new SlowStepRegistration(AddAddress, SlowStep.AfterTakeover));
        planner.Register(new SlowStepRegistration(RemoveAddress, SlowStep.BeforeStepDownAnnounced, First: true));
        planner.Register(new SlowStepRegistration(RemoveAddress, SlowStep.AtStart, First: true));
        planner.Register(new SlowStepRegistration(AddAddress + 10, SlowStep.AfterHeal));
        return planner;
    }

    [Theory]
    [InlineData(DecisionKind.BecomeStandby, Role.Standby)]
    [InlineData(DecisionKind.BecomeFaulted, Role.Faulted)]
    [InlineData(DecisionKind.BecomeStopping, Role.Stopping)]
    public void StepDown_ReleasesOutputsFirst_ThenTheAddressBeforeAnyOtherSlowEffect_ThenAnnounces(DecisionKind kind, Role to)
    {
        var plan = Planner().For(Becoming(kind, Role.Active, to), [true], stateAgreed: true).ToArray();

        Assert.Equal(
            [new Effect(EffectKind.StopWrites), new Effect(EffectKind.ReleaseOutputs), new Effect(EffectKind.DropActive),
             new Effect(EffectKind.Slow, Slot: RemoveAddress, Await: true), new Effect(EffectKind.Slow, Slot: Witness, Await: true),
             new Effect(EffectKind.Announce, Epoch: 300)],
            plan);
    }

    [Fact]
    public void Takeover_AddsTheAddressAfterDrivingAndAnnouncing_NotAwaited()
    {
        var plan = Planner().For(Becoming(DecisionKind.BecomeActive, Role.Standby, Role.Active), [true], stateAgreed: true).ToArray();

        Assert.Equal(
            [EffectKind.AssertActive, EffectKind.StartLife, EffectKind.Drive, EffectKind.StartTerm, EffectKind.Announce, EffectKind.Slow],
            plan.Select(e => e.Kind));
        Assert.Equal(new Effect(EffectKind.Slow, Slot: AddAddress), plan[^1]);
    }

    [Fact]
    public void NoStepDownFromAStandby_TouchesTheAddress()
    {
        var plan = Planner().For(Becoming(DecisionKind.BecomeFaulted, Role.Standby, Role.Faulted), [true], stateAgreed: true).ToArray();

        Assert.DoesNotContain(plan, e => e.IsSlow);
    }

    [Fact]
    public void Start_RemovesAStaleAddress_AndHeal_AnnouncesAgain_EachAloneInItsPlan()
    {
        var planner = Planner();

        Assert.Equal([new Effect(EffectKind.Slow, Slot: RemoveAddress)], planner.ForStart().ToArray());
        Assert.Equal([new Effect(EffectKind.Slow, Slot: AddAddress + 10)], planner.ForHeal().ToArray());
    }

    [Fact]
    public void WithoutFirst_SlowEffectsKeepTheOrderTheyWereRegisteredIn()
    {
        var planner = new TransitionPlanner(Outputs);
        planner.Register(new SlowStepRegistration(5, SlowStep.BeforeStepDownAnnounced));
        planner.Register(new SlowStepRegistration(4, SlowStep.BeforeStepDownAnnounced));
        var plan = planner.For(Becoming(DecisionKind.BecomeStandby, Role.Active, Role.Standby), [true], stateAgreed: true).ToArray();

        Assert.Equal([5, 4], plan.Where(e => e.IsSlow).Select(e => e.Slot));
    }
}
