using Redundancy.Core.Outputs;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Effects;

/// <summary>
/// Turns a role decision into its ordered effects: the takeover order and the step-down order live here, with the
/// takeover policy of each output. Pure; the plan is written into a buffer made once, so planning allocates nothing.
/// </summary>
/// <remarks>
/// Takeover: assert "I am active", start the life signal, for an unfenced takeover herald it and hold (a few ms), drive every output (the mirrored value, or the safe
/// value by the output's policy, or every output safe when the state is not agreed with the pair), start the term
/// (storage persists the epoch before the first write of it: the engine never waits for the disk), announce; then
/// any slow effect registered after a takeover. The interlock was read just before the decision.
/// Step-down from Active: stop taking writes, release the outputs, drop "I am active", the slow effects registered
/// before a step-down is announced (awaited, bounded: the outputs never wait for them; those registered
/// <see cref="SlowStepRegistration.First"/> before the others, so the system IP goes before anything else of the slow
/// lane), announce. Faulted or Stopping from any other role: release, drop,
/// announce (the outputs may have been driven by an earlier life). Anything else: announce.
/// </remarks>
public sealed class TransitionPlanner
{
    private readonly IReadOnlyList<OutputChannel> _outputs;
    private readonly List<SlowStepRegistration> _slow = [];
    private readonly Effect[] _plan;
    private int _count;

    private readonly TimeSpan _takeoverHold;

    /// <summary>A planner for the configured outputs; <paramref name="maxSlow"/> slow effects may be registered;
    /// an unfenced takeover heralds itself and waits <paramref name="takeoverHold"/> before it drives (zero: it does not).</summary>
    public TransitionPlanner(IReadOnlyList<OutputChannel> outputs, int maxSlow = 8, TimeSpan takeoverHold = default)
    {
        _outputs = outputs;
        _takeoverHold = takeoverHold;
        _plan = new Effect[outputs.Count + 10 + maxSlow];
    }

    /// <summary>The newest plan.</summary>
    public ReadOnlySpan<Effect> Plan => _plan.AsSpan(0, _count);

    /// <summary>Whether the newest takeover plan drove safe values because the state was not agreed.</summary>
    public bool DroveSafeForUnagreedState { get; private set; }

    /// <summary>Registers a slow effect (at start, before the first plan).</summary>
    public void Register(SlowStepRegistration registration) => _slow.Add(registration);

    /// <summary>Plans <paramref name="decision"/>; <paramref name="mirrored"/> gives each output's value in the state.</summary>
    /// <param name="decision">The machine's decision.</param>
    /// <param name="mirrored">Each output's logical value in the control state, by index.</param>
    /// <param name="stateAgreed">Whether the state is agreed with the pair (false while a split brain's resync is unfinished).</param>
    public ReadOnlySpan<Effect> For(in Decision decision, ReadOnlySpan<bool> mirrored, bool stateAgreed)
    {
        _count = 0;
        DroveSafeForUnagreedState = false;
        if (!decision.IsChange)
        {
            return Plan;
        }

        if (decision.Kind == DecisionKind.BecomeActive)
        {
            Add(new Effect(EffectKind.AssertActive));
            Add(new Effect(EffectKind.StartLife));
            if (decision.Unfenced && _takeoverHold > TimeSpan.Zero)
            {
                // No fence proves the peer is not driving: say "active, epoch N" on every link first, and drive only
                // after the hold, so that a peer that still hears us (a one-way partition) releases before we drive.
                Add(new Effect(EffectKind.Herald, Epoch: decision.Epoch));
                Add(new Effect(EffectKind.Hold, Hold: _takeoverHold));
            }

            for (var i = 0; i < _outputs.Count; i++)
            {
                // A state not agreed with the pair (a split brain's resync cut short) may hold output values the
                // active never wrote: resume nothing from it, whatever the policy.
                var channel = _outputs[i];
                var value = channel.Takeover == TakeoverPolicy.Safe || !stateAgreed || i >= mirrored.Length ? channel.SafeValue : mirrored[i];
                Add(Effect.Drive(i, value));
            }

            if (!stateAgreed)
            {
                DroveSafeForUnagreedState = true;
                Add(new Effect(EffectKind.AlarmStateNotAgreed));
            }

            Add(new Effect(EffectKind.StartTerm, Epoch: decision.Epoch));
            Add(new Effect(EffectKind.Announce, Epoch: decision.Epoch));
            AddSlow(SlowStep.AfterTakeover, awaited: false);
            return Plan;
        }

        if (decision.From == Role.Active)
        {
            Add(new Effect(EffectKind.StopWrites));
        }

        if (decision.From == Role.Active || decision.Kind is DecisionKind.BecomeFaulted or DecisionKind.BecomeStopping)
        {
            Add(new Effect(EffectKind.ReleaseOutputs));
            Add(new Effect(EffectKind.DropActive));
        }

        if (decision.From == Role.Active)
        {
            AddSlow(SlowStep.BeforeStepDownAnnounced, awaited: true);
        }

        Add(new Effect(EffectKind.Announce, Epoch: decision.Epoch));
        return Plan;
    }

    /// <summary>The slow effects registered <see cref="SlowStep.AtStart"/> (first ones first), none awaited: the engine
    /// runs this plan once as it starts, before any decision, so the slow lane runs it before any takeover's effects.</summary>
    public ReadOnlySpan<Effect> ForStart() => SlowOnly(SlowStep.AtStart);

    /// <summary>The slow effects registered <see cref="SlowStep.AfterHeal"/> (first ones first), none awaited.</summary>
    public ReadOnlySpan<Effect> ForHeal() => SlowOnly(SlowStep.AfterHeal);

    private ReadOnlySpan<Effect> SlowOnly(SlowStep step)
    {
        _count = 0;
        DroveSafeForUnagreedState = false;
        AddSlow(step, awaited: false);
        return Plan;
    }

    // Those marked first, then the rest, each in the order registered.
    private void AddSlow(SlowStep step, bool awaited)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < _slow.Count; i++)
            {
                if (_slow[i].Step == step && _slow[i].First == (pass == 0))
                {
                    Add(new Effect(EffectKind.Slow, Slot: _slow[i].Slot, Await: awaited));
                }
            }
        }
    }

    private void Add(Effect e) => _plan[_count++] = e;
}
